// The webhook behind the HTTP API: audit events pushed by log forwarders and SIEM pipelines.
// Wiring only: configuration (checked at cold start), the secret from SSM (Powertools Parameters:
// cached a minute, read again when a signature does not match, at most every 10 seconds), and
// the request handling in lib/ingestion/webhook. Never logs a secret or a body.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { readWebhookConfig } from '../lib/config/webhook-config.ts';
import { SecureParameter } from '../lib/ingestion/parameters/secure-parameter.ts';
import { SecureStringProvider } from '../lib/ingestion/parameters/secure-string-provider.ts';
import { webhookDependencies } from '../lib/ingestion/webhook/aws-dependencies.ts';
import { handleWebhook } from '../lib/ingestion/webhook/handle-webhook.ts';
import { createPowertools } from '../lib/shared/powertools.ts';

const config = readWebhookConfig(process.env);
const { logger, metrics, log, count } = createPowertools(config.logLevel);
const secrets = new SecureParameter(
  new SecureStringProvider({ awsSdkV3Client: new SSMClient({}) }),
  config.secretParameter,
  {
    maxAgeSeconds: config.secretMaxAgeSeconds,
    what: 'the webhook secrets',
    minRefreshIntervalMs: 10_000,
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
    const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    const response = await handleWebhook(
      {
        method: event.requestContext.http.method,
        headers: event.headers,
        query: event.queryStringParameters ?? {},
        body,
      },
      deps,
    );
    count(
      response.status === 202
        ? 'WebhookRequestsAccepted'
        : response.status >= 500
          ? 'WebhookRequestsFailed'
          : 'WebhookRequestsRefused',
    );
    if (response.status === 202) {
      const accepted = JSON.parse(response.body) as { accepted: number; replayed: boolean };
      count(accepted.replayed ? 'WebhookReplays' : 'WebhookEventsAccepted', accepted.replayed ? 1 : accepted.accepted);
    }
    return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
  } finally {
    metrics.publishStoredMetrics();
  }
}
