// The scheduled poller: lists the audit log of every configured OpenAI organization into the
// detection queue. Wiring only: configuration (checked at cold start), each organization's admin
// key from SSM (Powertools Parameters: cached with a maximum age, read again when OpenAI rejects
// it, never logged), its own cursor item, Powertools logging and metrics, and the core from
// lib/ingestion. One organization's failure does not stop the others.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { ConfigError } from '../lib/shared/config-error.ts';
import type { PolledOrganization } from '../lib/config/organizations.ts';
import { readPollConfig } from '../lib/config/poll-config.ts';
import { enqueueEvents } from '../lib/ingestion/packing/enqueue-events.ts';
import { SecureParameter } from '../lib/ingestion/parameters/secure-parameter.ts';
import { SecureStringProvider } from '../lib/ingestion/parameters/secure-string-provider.ts';
import { AuditLogClient } from '../lib/ingestion/poller/audit-log-client.ts';
import { DynamoCursorStore } from '../lib/ingestion/poller/cursor-store.ts';
import { AdminKeyRejectedError } from '../lib/ingestion/poller/errors.ts';
import { pollAuditLogs, type PollResult } from '../lib/ingestion/poller/poll.ts';
import { SqsDeadLetterSink } from '../lib/shared/sqs-dead-letter-sink.ts';
import { printable } from '../lib/shared/printable.ts';
import { createPowertools } from '../lib/shared/powertools.ts';

const config = readPollConfig(process.env);
const { logger, metrics, count } = createPowertools(config.logLevel);
const sqs = new SQSClient({});
const dynamodb = new DynamoDBClient({});
const deadLetters = new SqsDeadLetterSink(sqs, config.deadLetterQueueUrl);
const parameters = new SecureStringProvider({ awsSdkV3Client: new SSMClient({}) });
const keys = new Map(
  config.organizations.map((org) => [
    org.organization.id,
    new SecureParameter(parameters, org.adminKeyParameter, {
      maxAgeSeconds: config.adminKeyMaxAgeSeconds,
      what: 'the admin key',
    }),
  ]),
);

/** Totals over the organizations polled in one run. */
const TOTALS = ['listed', 'delivered', 'rejected', 'redelivered'] as const;

async function pollOrganization(org: PolledOrganization, context: Context): Promise<PollResult> {
  const { organization } = org;
  const adminKey = keys.get(organization.id);
  if (!adminKey) throw new ConfigError(`no admin key source for organization ${organization.id}`);
  const client = new AuditLogClient({
    baseUrl: config.baseUrl,
    adminKey,
    keySource: `the SSM parameter ${org.adminKeyParameter} (organization ${organization.id})`,
    remainingMs: () => context.getRemainingTimeInMillis(),
    onRetry: (notice) =>
      logger.warn('audit log request failed; retrying', { organization: organization.id, ...notice }),
  });
  return pollAuditLogs(
    {
      client,
      cursor: new DynamoCursorStore(dynamodb, config.cursorTableName, org.cursorKey),
      deliver: async (events) => {
        const { rejected } = await enqueueEvents({ sqs, queueUrl: config.queueUrl, deadLetters }, events, {
          organization,
          source: 'poller',
        });
        for (const item of rejected) {
          logger.warn('event not enqueued: kept in the dead-letter queue', {
            organization: organization.id,
            eventId: printable(item.eventId ?? ''),
            reason: item.reason,
          });
        }
        return { rejected: rejected.length };
      },
      clock: () => Math.floor(Date.now() / 1000),
      remainingMs: () => context.getRemainingTimeInMillis(),
    },
    config,
  );
}

/** Lambda entry point for the schedule. */
export async function handler(_event: unknown, context: Context): Promise<void> {
  logger.addContext(context);
  const totals = { listed: 0, delivered: 0, rejected: 0, redelivered: 0 };
  let failure: Error | undefined;
  try {
    for (const org of config.organizations) {
      const organization = org.organization.id;
      try {
        const result = await pollOrganization(org, context);
        for (const name of TOTALS) totals[name] += result[name];
        logger.info('poll finished', { organization, ...result, highWater: result.highWater ?? null });
      } catch (error) {
        if (error instanceof AdminKeyRejectedError || error instanceof ConfigError) {
          // A configuration problem (key rejected, parameter missing or not a SecureString):
          // retrying cannot help, the AuthFailures alarm tells someone. The others go on.
          count('AuthFailures', 1);
          logger.error('poll stopped: the admin key is unusable', { organization, error: error.message });
          continue;
        }
        count('PollErrors', 1);
        logger.error('poll failed; the next run resumes from the cursor', {
          organization,
          error: printable(error instanceof Error ? `${error.name}: ${error.message}` : 'unknown', 500),
        });
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    count('AuditEventsListed', totals.listed);
    count('AuditEventsEnqueued', totals.delivered);
    count('AuditEventsDeadLettered', totals.rejected);
    count('AuditEventsRedelivered', totals.redelivered);
    // After every organization had its turn: fail the invocation so the errors alarm counts it.
    if (failure !== undefined) throw failure;
  } finally {
    metrics.publishStoredMetrics();
  }
}
