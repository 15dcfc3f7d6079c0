// The webhook behind the HTTP API: audit events pushed by log forwarders and SIEM pipelines.
// Wiring only: configuration (checked at cold start), the secret from SSM (Powertools Parameters:
// cached a minute, read again when a signature does not match, at most every 10 seconds), and
// the request handling in lib/ingestion/webhook. Never logs a secret or a body.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { readWebhookConfig } from '../lib/config/webhook-config.ts';
import { SecureParameter } from '../lib/ingestion/parameters/secure-parameter.ts';
import { SecureStringProvider } from '../lib/ingestion/parameters/secure-string-provider.ts';
import { webhookDependencies } from '../lib/ingestion/webhook/aws-dependencies.ts';
import { handleWebhook } from '../lib/ingestion/webhook/handle-webhook.ts';

const SERVICE = 'openai-audit-alerts';
const config = readWebhookConfig(process.env);
const logger = new Logger({ serviceName: SERVICE, logLevel: config.logLevel });
const metrics = new Metrics({ namespace: 'OpenAIAuditAlerts', serviceName: SERVICE });
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
  log: (level, message, details) =>
    level === 'INFO'
      ? logger.info(message, details)
      : level === 'WARN'
        ? logger.warn(message, details)
        : logger.error(message, details),
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
    metrics.addMetric(
      response.status === 202
        ? 'WebhookRequestsAccepted'
        : response.status >= 500
          ? 'WebhookRequestsFailed'
          : 'WebhookRequestsRefused',
      MetricUnit.Count,
      1,
    );
    if (response.status === 202) {
      const accepted = JSON.parse(response.body) as { accepted: number; replayed: boolean };
      metrics.addMetric(
        accepted.replayed ? 'WebhookReplays' : 'WebhookEventsAccepted',
        MetricUnit.Count,
        accepted.replayed ? 1 : accepted.accepted,
      );
    }
    return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
  } finally {
    metrics.publishStoredMetrics();
  }
}
