import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../../shared/config-error.ts';
import { printable } from '../../shared/printable.ts';
import { SqsDeadLetterSink } from '../../shared/sqs-dead-letter-sink.ts';
import { enqueueEvents } from '../packing/enqueue-events.ts';
import { SecureParameter } from '../parameters/secure-parameter.ts';
import type { SecureStringProvider } from '../parameters/secure-string-provider.ts';
import { AuditLogClient } from './audit-log-client.ts';
import { streamCursorKey, type AuditLogStream } from './audit-log-stream.ts';
import { DynamoCursorStore } from './cursor-store.ts';
import { pollAuditLogs, type PollResult } from './poll.ts';
import type { PollConfig, PolledOrganization } from './poll-config.ts';
import type { PollTelemetry } from './poll-organizations.ts';

/** The AWS clients a poller uses, and where it logs. */
export interface PollerClients {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  /** SSM SecureStrings through Powertools Parameters. */
  readonly parameters: SecureStringProvider;
  readonly log: PollTelemetry['log'];
}

/** One organization's run of one stream, with the milliseconds its invocation has left. */
export type OrganizationPoller = (
  org: PolledOrganization,
  stream: AuditLogStream,
  remainingMs: () => number,
) => Promise<PollResult>;

/**
 * One organization's polling run of one stream on AWS: its admin key from SSM (cached across
 * invocations for `adminKeyMaxAgeSeconds`, read again when OpenAI rejects it), the stream's own
 * cursor item (`streamCursorKey`), its events to
 * the detection queue and the ones that cannot be packed to the DLQ (each logged). Build once, at
 * cold start, so that the keys stay cached.
 *
 * @example
 * ```ts
 * const poll = awsOrganizationPoller(config, { sqs, dynamodb, parameters, log });
 * const result = await poll(config.organizations[0], 'tenant', () => context.getRemainingTimeInMillis());
 * ```
 */
export function awsOrganizationPoller(config: PollConfig, clients: PollerClients): OrganizationPoller {
  const { sqs, dynamodb, log } = clients;
  const deadLetters = new SqsDeadLetterSink(sqs, config.deadLetterQueueUrl);
  const keys = new Map(
    config.organizations.map((org) => [
      org.organization.id,
      new SecureParameter(clients.parameters, org.adminKeyParameter, {
        maxAgeSeconds: config.adminKeyMaxAgeSeconds,
        what: 'the admin key',
      }),
    ]),
  );
  return async ({ organization, adminKeyParameter, cursorKey }, stream, remainingMs) => {
    const adminKey = keys.get(organization.id);
    if (!adminKey) throw new ConfigError(`no admin key source for organization ${organization.id}`);
    const client = new AuditLogClient({
      baseUrl: config.baseUrl,
      adminKey,
      keySource: `the SSM parameter ${adminKeyParameter} (organization ${organization.id})`,
      remainingMs,
      onRetry: (notice) =>
        log('WARN', 'audit log request failed; retrying', { organization: organization.id, stream, ...notice }),
    });
    const deliver = async (events: readonly unknown[]) => {
      const target = { sqs, queueUrl: config.queueUrl, deadLetters };
      const { rejected } = await enqueueEvents(target, events, { organization, source: 'poller' });
      for (const item of rejected) {
        log('WARN', 'event not enqueued: kept in the dead-letter queue', {
          organization: organization.id,
          eventId: printable(item.eventId ?? ''),
          reason: item.reason,
        });
      }
      return { rejected: rejected.length };
    };
    const cursor = new DynamoCursorStore(dynamodb, config.cursorTableName, streamCursorKey(cursorKey, stream));
    const clock = () => Math.floor(Date.now() / 1000);
    return pollAuditLogs(
      { client, cursor, deliver, clock, remainingMs },
      { ...config, tenantOnly: stream === 'tenant' },
    );
  };
}
