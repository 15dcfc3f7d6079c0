import type { DetectConfig } from './detect-config.ts';
import type { RuleMetadata } from '../../detection/engine/rule.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../detection/openai/constants.ts';
import { createRuleCatalog } from '../../detection/rules/create-rule-catalog.ts';
import { awsAdapters, defaultClientFactories, type AwsClientFactories } from './aws-dependencies.ts';
import { MAX_THRESHOLD } from '../dedup/constants.ts';
import { systemClock } from '../dedup/window.ts';
import { processBatch, type Invocation } from './process-batch.ts';
import type { BatchResult, QueueRecord } from '../../shared/sqs-batch.ts';
import type { ArchiveStore } from '../../archive/store.ts';
import { maskingTelemetry, type Telemetry } from './telemetry.ts';

/**
 * Refuses alerting rules whose threshold a dedup window cannot count exactly within a small item:
 * below its threshold a window remembers every event (or distinct value) it counts, so a
 * redelivery is never counted twice, up to {@link MAX_THRESHOLD}. Signals are exempt: they never
 * open a window.
 *
 * @example
 * ```ts
 * checkThresholds(catalog.rules); // throws for a rule with threshold 201
 * ```
 */
export function checkThresholds(rules: ReadonlyArray<Pick<RuleMetadata, 'id' | 'threshold' | 'createAlert'>>): void {
  for (const rule of rules) {
    // Signals never open a window (Panther gives them a threshold no one reaches, 999,999).
    if (!rule.createAlert) continue;
    if (rule.threshold > MAX_THRESHOLD) {
      throw new Error(
        `rule ${rule.id}: threshold ${rule.threshold} is above the ${MAX_THRESHOLD} events a dedup window counts exactly`,
      );
    }
  }
}

/** What {@link createDetectionHandler} needs besides configuration. */
export interface DetectionHandlerOptions {
  readonly config: DetectConfig;
  readonly telemetry: Telemetry;
  /** Unix seconds; defaults to the system clock. */
  readonly clock?: () => number;
  readonly clients?: AwsClientFactories;
  /** The event archive, in place of the S3 bucket `config.archiveBucket` names (`npm start` keeps a copy). */
  readonly archiveStore?: () => Promise<ArchiveStore>;
}

/**
 * The SQS batch handler with everything built once: the rule catalog now, AWS adapters on first
 * use. Call it per invocation with the event's records and, in Lambda, the invocation (its
 * remaining time bounds the leases). Throws at once if a rule's threshold is above the events a
 * dedup window can track.
 *
 * @example
 * ```ts
 * const detect = createDetectionHandler({ config, telemetry });
 * export const handler = (event: SQSEvent, context: Context) =>
 *   detect(event.Records, { remainingMillis: () => context.getRemainingTimeInMillis() });
 * ```
 */
export function createDetectionHandler(
  options: DetectionHandlerOptions,
): (records: readonly QueueRecord[], invocation?: Invocation) => Promise<BatchResult> {
  const clock = options.clock ?? systemClock;
  const adapters = awsAdapters(options.config, options.clients ?? defaultClientFactories(), clock);
  const { scopePolicy, rules, orgDomains, ownRules } = options.config;
  const catalog = createRuleCatalog({
    scopePolicy,
    rules,
    orgDomains,
    ...(ownRules === undefined ? {} : { ownRules }),
  });
  checkThresholds(catalog.rules);
  const deps = {
    ...adapters,
    ...(options.archiveStore === undefined ? {} : { archive: options.archiveStore }),
    catalog,
    logType: OPENAI_AUDIT_LOG_TYPE,
    telemetry: maskingTelemetry(options.telemetry),
    clock,
    concurrency: options.config.concurrency,
    leaseSeconds: options.config.leaseSeconds,
    maxReceiveCount: options.config.maxReceiveCount,
  };
  return (records, invocation) => processBatch(records, deps, invocation);
}
