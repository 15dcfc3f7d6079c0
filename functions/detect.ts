// The SQS-triggered detection function. Wiring only: configuration (checked once, at cold start),
// Powertools logging and metrics, and the core from lib/. AWS clients load on the first match.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readDetectConfig } from '../lib/config/detect-config.ts';
import { createDetectionHandler } from '../lib/pipeline/detect/create-handler.ts';
import { powertoolsTelemetry } from '../lib/pipeline/detect/powertools-telemetry.ts';

const SERVICE = 'openai-audit-alerts';

const config = readDetectConfig(process.env);
const logger = new Logger({ serviceName: SERVICE, logLevel: config.logLevel });
const metrics = new Metrics({ namespace: 'OpenAIAuditAlerts', serviceName: SERVICE });
const detect = createDetectionHandler({ config, telemetry: powertoolsTelemetry(logger, metrics) });

/** Lambda entry point for the SQS event source (with `ReportBatchItemFailures`). */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    // The lease of every window this invocation claims ends with the invocation (plus a margin).
    return await detect(event.Records, { remainingMillis: () => context.getRemainingTimeInMillis() });
  } finally {
    metrics.publishStoredMetrics();
  }
}
