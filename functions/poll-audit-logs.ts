// The scheduled poller: lists OpenAI's audit log into the detection queue. Wiring only:
// configuration (checked at cold start), the admin key from SSM (Powertools Parameters: cached with
// a maximum age, read again when OpenAI rejects it, never logged), Powertools logging and metrics,
// and the core from lib/ingestion.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { ConfigError } from '../lib/config/errors.ts';
import { readPollConfig } from '../lib/config/poll-config.ts';
import { enqueueEvents } from '../lib/ingestion/packing/enqueue-events.ts';
import { DEFAULT_ORGANIZATION } from '../lib/ingestion/packing/organization.ts';
import { SecureParameter } from '../lib/ingestion/parameters/secure-parameter.ts';
import { SecureStringProvider } from '../lib/ingestion/parameters/secure-string-provider.ts';
import { AuditLogClient } from '../lib/ingestion/poller/audit-log-client.ts';
import { DynamoCursorStore } from '../lib/ingestion/poller/cursor-store.ts';
import { AdminKeyRejectedError } from '../lib/ingestion/poller/errors.ts';
import { pollAuditLogs } from '../lib/ingestion/poller/poll.ts';
import { SqsDeadLetterSink } from '../lib/pipeline/publish/sqs-dead-letter-sink.ts';
import { printable } from '../lib/util/printable.ts';

const SERVICE = 'openai-audit-alerts';
const config = readPollConfig(process.env);
const logger = new Logger({ serviceName: SERVICE });
const metrics = new Metrics({ namespace: 'OpenAIAuditAlerts', serviceName: SERVICE });
const sqs = new SQSClient({});
const deadLetters = new SqsDeadLetterSink(sqs, config.deadLetterQueueUrl);
const cursor = new DynamoCursorStore(new DynamoDBClient({}), config.cursorTableName, config.cursorKey);
const parameters = new SecureStringProvider({ awsSdkV3Client: new SSMClient({}) });
const adminKey = new SecureParameter(parameters, config.adminKeyParameter, { maxAgeSeconds: config.adminKeyMaxAgeSeconds, what: 'the admin key' });

/** Lambda entry point for the schedule. */
export async function handler(_event: unknown, context: Context): Promise<void> {
  logger.addContext(context);
  try {
    const client = new AuditLogClient({
      baseUrl: config.baseUrl,
      adminKey,
      keySource: `the SSM parameter ${config.adminKeyParameter} (deploy parameter adminKeyParameter)`,
      remainingMs: () => context.getRemainingTimeInMillis(),
      onRetry: (notice) => logger.warn('audit log request failed; retrying', { ...notice }),
    });
    const result = await pollAuditLogs(
      {
        client,
        cursor,
        deliver: async (events) => {
          const { rejected } = await enqueueEvents({ sqs, queueUrl: config.queueUrl, deadLetters }, events, { organization: DEFAULT_ORGANIZATION, source: 'poller' });
          for (const item of rejected) logger.warn('event not enqueued: kept in the dead-letter queue', { eventId: printable(item.eventId ?? ''), reason: item.reason });
          return { rejected: rejected.length };
        },
        clock: () => Math.floor(Date.now() / 1000),
        remainingMs: () => context.getRemainingTimeInMillis(),
      },
      config,
    );
    metrics.addMetric('AuditEventsListed', MetricUnit.Count, result.listed);
    metrics.addMetric('AuditEventsEnqueued', MetricUnit.Count, result.delivered);
    metrics.addMetric('AuditEventsDeadLettered', MetricUnit.Count, result.rejected);
    metrics.addMetric('AuditEventsRedelivered', MetricUnit.Count, result.redelivered);
    logger.info('poll finished', { ...result, highWater: result.highWater ?? null });
  } catch (error) {
    if (error instanceof AdminKeyRejectedError || error instanceof ConfigError) {
      // A configuration problem (key rejected, parameter missing or not a SecureString): retrying
      // cannot help, the AuthFailures alarm tells someone.
      metrics.addMetric('AuthFailures', MetricUnit.Count, 1);
      logger.error('poll stopped: the admin key is unusable', { error: error.message });
      return;
    }
    metrics.addMetric('PollErrors', MetricUnit.Count, 1);
    logger.error('poll failed; the next run resumes from the cursor', { error: printable(error instanceof Error ? `${error.name}: ${error.message}` : 'unknown', 500) });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
