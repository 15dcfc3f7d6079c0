export { awsAdapters, defaultClientFactories, type AwsAdapters, type AwsClientFactories } from './aws-dependencies.ts';
export { runBounded } from './concurrency.ts';
export { checkThresholds, createDetectionHandler, type DetectionHandlerOptions } from './create-handler.ts';
export { WindowBusyError, isPermanentFailure } from './errors.ts';
export { lazy } from './lazy.ts';
export { MATCH_OUTCOME_MESSAGES } from './log-messages.ts';
export {
  processBatch,
  type BatchResult,
  type DetectionDependencies,
  type Invocation,
  type QueueRecord,
} from './process-batch.ts';
export {
  SILENT_TELEMETRY,
  maskingTelemetry,
  type DetectionMetric,
  type LogLevel,
  type Telemetry,
} from './telemetry.ts';
export { powertoolsTelemetry } from './powertools-telemetry.ts';
