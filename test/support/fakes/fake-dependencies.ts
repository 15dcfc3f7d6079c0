// The batch processor's dependencies in memory: the unit tests of the batch logic need no emulator.
import type { RuleCatalog } from '../../../lib/detection/engine/catalog.ts';
import { createRuleCatalog } from '../../../lib/detection/rules/create-rule-catalog.ts';
import type { DetectionDependencies } from '../../../lib/pipeline/detect/process-batch.ts';
import { MemoryArchiveStore } from '../../lib/archive/memory-store.ts';
import { recordingTelemetry } from '../recording-telemetry.ts';
import { InMemoryBaselineStore } from './in-memory-baseline-store.ts';
import { InMemoryCorrelationStore } from './in-memory-correlation-store.ts';
import { InMemoryDedupStore } from './in-memory-dedup-store.ts';
import { RecordingDeadLetters, RecordingPublisher } from './recording-ports.ts';

/** The fakes behind {@link fakeDependencies}, for arranging faults and checking what happened. */
export interface Fakes {
  readonly deps: DetectionDependencies;
  readonly dedup: InMemoryDedupStore;
  readonly correlations: InMemoryCorrelationStore;
  readonly baselines: InMemoryBaselineStore;
  readonly publisher: RecordingPublisher;
  readonly deadLetters: RecordingDeadLetters;
  readonly telemetry: ReturnType<typeof recordingTelemetry>;
  /** The event archive (given to the batch only with `archive: true`). */
  readonly archive: MemoryArchiveStore;
  /** Moves the shared clock. */
  advance(seconds: number): void;
}

/**
 * `processBatch`'s dependencies over in-memory fakes, the OpenAI catalog by default, a clock that
 * moves only when told.
 *
 * @example
 * ```ts
 * const { deps, publisher } = fakeDependencies();
 * await processBatch(records, deps);
 * expect(publisher.published).toHaveLength(1);
 * ```
 */
export function fakeDependencies(
  options: {
    catalog?: RuleCatalog;
    now?: number;
    maxReceiveCount?: number;
    concurrency?: number;
    archive?: boolean;
  } = {},
): Fakes {
  let now = options.now ?? 1_720_000_100;
  const clock = () => now;
  const dedup = new InMemoryDedupStore(clock);
  const correlations = new InMemoryCorrelationStore();
  const baselines = new InMemoryBaselineStore();
  const publisher = new RecordingPublisher();
  const deadLetters = new RecordingDeadLetters();
  const telemetry = recordingTelemetry();
  const archive = new MemoryArchiveStore();
  const deps: DetectionDependencies = {
    catalog: options.catalog ?? createRuleCatalog(),
    logType: 'OpenAI.Audit',
    dedupStore: () => Promise.resolve(dedup),
    correlationStore: () => Promise.resolve(correlations),
    baselineStore: () => Promise.resolve(baselines),
    publisher: () => Promise.resolve(publisher),
    deadLetters: () => Promise.resolve(deadLetters),
    telemetry: telemetry.telemetry,
    clock,
    concurrency: options.concurrency ?? 4,
    leaseSeconds: 60,
    ...(options.maxReceiveCount === undefined ? {} : { maxReceiveCount: options.maxReceiveCount }),
    ...(options.archive === true ? { archive: () => Promise.resolve(archive) } : {}),
  };
  return {
    deps,
    dedup,
    correlations,
    baselines,
    publisher,
    deadLetters,
    telemetry,
    archive,
    advance: (seconds) => {
      now += seconds;
    },
  };
}
