// The SQS-triggered detection function. Wiring only: configuration (checked once, at cold start),
// Powertools logging and metrics, and the core from lib/. AWS clients load on the first match.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readDetectConfig } from '../lib/config/detect-config.ts';
import { RULES_DIR_ENV } from '../lib/config/rules-dir.ts';
import { createDetectionHandler } from '../lib/pipeline/detect/create-handler.ts';
import { createPowertools } from '../lib/shared/powertools.ts';

// A rules folder's detections (RULES_DIR) are compiled at cold start; without one, the YAML
// compiler is never loaded.
const ownRules =
  (process.env[RULES_DIR_ENV] ?? '') === ''
    ? []
    : await import('../lib/config/rules-folder.ts').then((folder) =>
        folder.ownRulesOf(folder.loadOwnDetections(process.env)),
      );
const config = readDetectConfig(process.env, ownRules);
const { logger, metrics, ...telemetry } = createPowertools(config.logLevel);
const detect = createDetectionHandler({ config, telemetry });

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
