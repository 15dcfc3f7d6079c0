import type { ArchivedEvent } from '../../archive/event-line.ts';
import type { ArchiveStore } from '../../archive/store.ts';
import type { RuleCatalog } from '../../detection/engine/catalog.ts';
import type { BaselineObservation, CorrelationStepMatch, RuleMatch } from '../../detection/engine/result.ts';
import type { BaselineStore } from '../baseline/baseline-store.ts';
import type { Organization } from '../../ingestion/packing/organization.ts';
import type { DeadLetter, DeadLetterSink } from '../../shared/dead-letter-sink.ts';
import type { JsonObject } from '../../shared/json.ts';
import type { CorrelationStore } from '../correlate/correlation-store.ts';
import type { DedupStore } from '../dedup/dedup-store.ts';
import type { AlertPublisher } from '../publish/alert-publisher.ts';
import type { Telemetry } from './telemetry.ts';

/**
 * What the batch processor works with. Adapters are lazy: nothing loads until a match needs it.
 *
 * @example
 * ```ts
 * const deps: DetectionDependencies = { catalog, logType: 'OpenAI.Audit', dedupStore: async () => store, ... };
 * ```
 */
export interface DetectionDependencies {
  readonly catalog: RuleCatalog;
  readonly logType: string;
  readonly dedupStore: () => Promise<DedupStore>;
  /** State of correlation rules; loaded only when an event is a step of one. */
  readonly correlationStore: () => Promise<CorrelationStore>;
  readonly baselineStore: () => Promise<BaselineStore>;
  readonly publisher: () => Promise<AlertPublisher>;
  readonly deadLetters: () => Promise<DeadLetterSink>;
  /** The event archive, when one is configured: every event received is written there. */
  readonly archive?: () => Promise<ArchiveStore>;
  readonly telemetry: Telemetry;
  /** Unix seconds; the same clock as the dedup store's. */
  readonly clock: () => number;
  /** Dedup keys (and dead letters) handled at once. */
  readonly concurrency: number;
  /** Lease of claims made outside an invocation with a deadline (local runs, the CLI), seconds. */
  readonly leaseSeconds: number;
  /**
   * The queue's `maxReceiveCount`, when known: on a record's last receive, a failure goes to the
   * DLQ with its reason (and only the events that failed) instead of being redriven without one.
   */
  readonly maxReceiveCount?: number;
}

/** When a lease taken now ends, in Unix seconds. */
export type LeaseClock = () => number;

/** Where a match or step came from: the record (its index in the batch), for retries and letters. */
export interface RecordOrigin {
  readonly record: number;
  readonly messageId: string;
  /** The record's `ApproximateReceiveCount` (1 when not given). */
  readonly receiveCount: number;
  readonly event: JsonObject;
  /** What our ingestion's envelope said of the record's events; a dead letter keeps it. */
  readonly envelope?: RecordEnvelope;
}

/** The organization and source of a record's events, from our ingestion's envelope. */
export interface RecordEnvelope {
  readonly organization: Organization;
  readonly source: string;
}

/** A rule's match, from one event of one record. */
export interface PendingMatch extends RecordOrigin {
  readonly match: RuleMatch;
}

/** A correlation step to record, from one event of one record. */
export interface PendingStep extends RecordOrigin {
  readonly step: CorrelationStepMatch;
  readonly organization: Organization | undefined;
}

/** A batch's matches of one dedup key in one window, claimed together. */
export interface PendingWindow {
  readonly dedupKey: string;
  readonly windowStart: number;
  readonly windowEndsAt: number;
  readonly matches: PendingMatch[];
}

/** A batch's steps of one correlation rule for one key, recorded together. */
export interface PendingSteps {
  /** Where the state lives: the steps' key, scoped to the events' organization. */
  readonly storageKey: string;
  readonly steps: PendingStep[];
}

/** One unit of work: a window's matches to claim, or a key's correlation steps to record. */
/** What a baseline rule saw of one event, with where the event came from. */
export interface PendingSighting extends RecordOrigin {
  readonly observation: BaselineObservation;
  readonly organization: Organization | undefined;
}

/** The sightings of one baseline rule's actor in a batch, in record order: one write for them all. */
export interface PendingSightings {
  /** The actor, scoped to its organization. */
  readonly storageKey: string;
  readonly sightings: PendingSighting[];
}

export type Work =
  | { readonly kind: 'window'; readonly pending: PendingWindow }
  | { readonly kind: 'steps'; readonly pending: PendingSteps }
  | { readonly kind: 'sightings'; readonly pending: PendingSightings };

/** A dead letter, and the record it is for. */
export interface RecordLetter {
  readonly record: number;
  readonly letter: DeadLetter;
}

/** An event received in a batch, as the archive keeps it, and the record it came in. */
export interface ReceivedEvent {
  readonly record: number;
  readonly receiveCount: number;
  readonly line: ArchivedEvent;
  readonly envelope?: RecordEnvelope;
}
