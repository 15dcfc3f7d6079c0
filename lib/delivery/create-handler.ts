import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { DeliveryConfig } from './delivery-config.ts';
import type { BatchResult } from '../shared/sqs-batch.ts';
import { lazy } from '../shared/lazy.ts';
import { SqsDeadLetterSink } from '../shared/sqs-dead-letter-sink.ts';
import { SecureParameter, type SecretSource } from '../ingestion/parameters/secure-parameter.ts';
import { SecureStringProvider } from '../ingestion/parameters/secure-string-provider.ts';
import { REQUEST_TIMEOUT_MS, SECRET_MAX_AGE_SECONDS } from './constants.ts';
import type { ArchiveStore } from '../archive/store.ts';
import { archiveAlerts } from './archive-alerts.ts';
import { deliverBatch, type DeliveryRecord } from './deliver-batch.ts';
import type { Destination } from './destination.ts';
import { pagerDutyDestination, slackDestination, webhookDestination } from './destinations.ts';
import { queueName, queueVisibility } from './queue-visibility.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.ts';
import { sendRequest } from './send.ts';
import type { DeliveryTelemetry } from './telemetry.ts';

/** What {@link createDeliveryHandler} needs besides configuration; tests and `npm start` replace parts. */
export interface DeliveryHandlerOptions {
  readonly config: DeliveryConfig;
  readonly telemetry: DeliveryTelemetry;
  /**
   * Where a secret comes from, by SSM parameter name. Default: SSM SecureStrings through Powertools
   * Parameters (the standard AWS SDK environment), kept {@link SECRET_MAX_AGE_SECONDS}.
   */
  readonly secretFor?: (parameterName: string, what: string) => SecretSource;
  readonly sqs?: SQSClient;
  readonly fetch?: typeof fetch;
  /** Unix seconds. */
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly policy?: RetryPolicy;
  readonly requestTimeoutMs?: number;
  /** The alert archive (with `config.archive`); default: the S3 bucket it names. */
  readonly archiveStore?: () => Promise<ArchiveStore>;
}

/** SecureString parameters through Powertools Parameters, one provider (and cache) for all. */
function ssmSecrets(): (parameterName: string, what: string) => SecretSource {
  const provider = new SecureStringProvider({ awsSdkV3Client: new SSMClient({}) });
  return (name, what) => new SecureParameter(provider, name, { maxAgeSeconds: SECRET_MAX_AGE_SECONDS, what });
}

/** One invocation: the records, and how much time is left. */
export type DeliveryHandler = (records: readonly DeliveryRecord[], remainingMs: () => number) => Promise<BatchResult>;

/**
 * The delivery function's batch handler, with destinations built once from the configuration: the
 * queue each record came from picks its destination.
 *
 * @example
 * ```ts
 * const deliver = createDeliveryHandler({ config: readDeliveryConfig(process.env), telemetry });
 * export const handler = (event: SQSEvent, context: Context) => deliver(records(event), () => context.getRemainingTimeInMillis());
 * ```
 */
export function createDeliveryHandler(options: DeliveryHandlerOptions): DeliveryHandler {
  const { config } = options;
  const secretFor = options.secretFor ?? ssmSecrets();
  const sqs = options.sqs ?? new SQSClient({});
  const byQueue = new Map<string, Destination>();
  if (config.pagerDuty) {
    byQueue.set(
      queueName(config.pagerDuty.queueUrl),
      pagerDutyDestination(
        {
          ...config.pagerDuty,
          ...(config.runbookBaseUrl === undefined ? {} : { runbookBaseUrl: config.runbookBaseUrl }),
        },
        secretFor(config.pagerDuty.routingKeyParameter, 'the PagerDuty routing key'),
      ),
    );
  }
  if (config.slack)
    byQueue.set(
      queueName(config.slack.queueUrl),
      slackDestination(secretFor(config.slack.webhookUrlParameter, 'the Slack webhook URL'), {
        runbookBaseUrl: config.runbookBaseUrl,
      }),
    );
  if (config.webhook)
    byQueue.set(
      queueName(config.webhook.queueUrl),
      webhookDestination(config.webhook, secretFor(config.webhook.secretParameter, 'the alert webhook signing secret')),
    );
  const queueUrls = [config.pagerDuty?.queueUrl, config.slack?.queueUrl, config.webhook?.queueUrl].filter(
    (url): url is string => url !== undefined,
  );
  const requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const base = {
    destinationFor: (arn: string) => byQueue.get(queueName(arn)),
    send: (request: Parameters<typeof sendRequest>[0]) =>
      sendRequest(request, {
        timeoutMs: requestTimeoutMs,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        nowMs: () => clock() * 1000,
      }),
    deadLetters: lazy(() => Promise.resolve(new SqsDeadLetterSink(sqs, config.deadLetterQueueUrl))),
    defer: queueVisibility(sqs, queueUrls),
    telemetry: options.telemetry,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    clock,
    random: options.random ?? Math.random,
    policy: options.policy ?? DEFAULT_RETRY_POLICY,
    requestTimeoutMs,
  };
  const archive = config.archive;
  if (archive === undefined) return (records, remainingMs) => deliverBatch(records, { ...base, remainingMs });
  const archiveDeps = {
    store: options.archiveStore ?? lazy(() => s3ArchiveStore(archive.bucket)),
    deadLetters: base.deadLetters,
    telemetry: options.telemetry,
  };
  const archiveQueue = queueName(archive.queueUrl);
  // The alert archive queue's records are written to S3; the others go to their HTTP destination.
  return async (records, remainingMs) => {
    const archived = records.filter((record) => queueName(record.eventSourceArn) === archiveQueue);
    if (archived.length === 0) return deliverBatch(records, { ...base, remainingMs });
    const delivered = records.filter((record) => queueName(record.eventSourceArn) !== archiveQueue);
    const [fromArchive, fromDelivery] = await Promise.all([
      archiveAlerts(archived, archiveDeps),
      delivered.length === 0 ? { batchItemFailures: [] } : deliverBatch(delivered, { ...base, remainingMs }),
    ]);
    return { batchItemFailures: [...fromArchive.batchItemFailures, ...fromDelivery.batchItemFailures] };
  };
}

/** The alert archive in its S3 bucket; the S3 client's module loads on the first alert. */
async function s3ArchiveStore(bucket: string): Promise<ArchiveStore> {
  const [{ S3Client }, { S3ArchiveStore }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../archive/s3-store.ts'),
  ]);
  return new S3ArchiveStore(new S3Client({}), bucket);
}
