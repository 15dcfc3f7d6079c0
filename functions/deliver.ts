// The delivery function: alerts from the delivery queues (one per destination) to PagerDuty, Slack
// and signed webhooks. Wiring only: configuration (checked at cold start), Powertools logging and
// metrics, and the core from lib/delivery. Secrets are read from SSM when first needed.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readDeliveryConfig } from '../lib/config/delivery-config.ts';
import { createDeliveryHandler } from '../lib/delivery/create-handler.ts';
import { deliveryRecord } from '../lib/delivery/lambda-record.ts';
import { powertoolsDeliveryTelemetry } from '../lib/delivery/powertools-telemetry.ts';
import { createPowertools } from '../lib/shared/powertools.ts';

const config = readDeliveryConfig(process.env);
const { logger, metrics } = createPowertools(config.logLevel);
const telemetry = powertoolsDeliveryTelemetry(logger, metrics);
const deliver = createDeliveryHandler({ config, telemetry });

/** Lambda entry point for the delivery queues' event sources (with `ReportBatchItemFailures`). */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    return await deliver(event.Records.map(deliveryRecord), () => context.getRemainingTimeInMillis());
  } finally {
    telemetry.flush();
  }
}
