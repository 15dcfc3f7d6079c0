// The webhook behind the HTTP API: audit events pushed by log forwarders and SIEM pipelines.
// Wiring only: configuration (checked at cold start), the secret from SSM (Powertools Parameters:
// cached, read again when a signature does not match), the AWS clients, Powertools logging and
// metrics, and the request handling in lib/ingestion/webhook. Never logs a secret or a body.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { readWebhookConfig } from '../lib/config/webhook-config.ts';
import { SecureParameter } from '../lib/ingestion/parameters/secure-parameter.ts';
import { SecureStringProvider } from '../lib/ingestion/parameters/secure-string-provider.ts';
import { webhookDependencies } from '../lib/ingestion/webhook/aws-dependencies.ts';
import { SECRET_MIN_REFRESH_INTERVAL_MS } from '../lib/ingestion/webhook/constants.ts';
import { handleHttpApiRequest } from '../lib/ingestion/webhook/http-api.ts';
import { createPowertools } from '../lib/shared/powertools.ts';

const config = readWebhookConfig(process.env);
const { logger, metrics, log, count } = createPowertools(config.logLevel);
const secrets = new SecureParameter(
  new SecureStringProvider({ awsSdkV3Client: new SSMClient({}) }),
  config.secretParameter,
  {
    maxAgeSeconds: config.secretMaxAgeSeconds,
    what: 'the webhook secrets',
    minRefreshIntervalMs: SECRET_MIN_REFRESH_INTERVAL_MS,
  },
);
const deps = webhookDependencies({
  sqs: new SQSClient({}),
  queueUrl: config.queueUrl,
  dynamodb: new DynamoDBClient({}),
  deliveriesTable: config.deliveriesTable,
  secrets,
  bearerEnabled: config.bearerEnabled,
  organizations: config.organizations,
  log,
});

/** Lambda entry point for the HTTP API (payload format 2.0). */
export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  logger.addContext(context);
  try {
    return await handleHttpApiRequest(event, deps, count);
  } finally {
    metrics.publishStoredMetrics();
  }
}
