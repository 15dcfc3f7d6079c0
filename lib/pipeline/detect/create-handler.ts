import type { DetectConfig } from '../../config/detect-config.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../detection/openai/constants.ts';
import { createRuleCatalog } from '../../detection/rules/index.ts';
import { awsAdapters, defaultClientFactories, type AwsClientFactories } from './aws-dependencies.ts';
import { processBatch, type BatchResult, type QueueRecord } from './process-batch.ts';
import { maskingTelemetry, type Telemetry } from './telemetry.ts';

/** What {@link createDetectionHandler} needs besides configuration. */
export interface DetectionHandlerOptions {
  readonly config: DetectConfig;
  readonly telemetry: Telemetry;
  /** Unix seconds; defaults to the system clock. */
  readonly clock?: () => number;
  readonly clients?: AwsClientFactories;
}

/**
 * The SQS batch handler with everything built once: the rule catalog now, AWS adapters on first
 * use. Call it per invocation with the event's records.
 *
 * @example
 * ```ts
 * const detect = createDetectionHandler({ config, telemetry });
 * export const handler = (event: SQSEvent) => detect(event.Records);
 * ```
 */
export function createDetectionHandler(options: DetectionHandlerOptions): (records: readonly QueueRecord[]) => Promise<BatchResult> {
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const adapters = awsAdapters(options.config, options.clients ?? defaultClientFactories(), clock);
  const deps = {
    ...adapters,
    catalog: createRuleCatalog({ scopePolicy: options.config.scopePolicy }),
    logType: OPENAI_AUDIT_LOG_TYPE,
    telemetry: maskingTelemetry(options.telemetry),
    clock,
    concurrency: options.config.concurrency,
  };
  return (records) => processBatch(records, deps);
}
