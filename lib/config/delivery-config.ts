import { PAGERDUTY_EVENTS_URL } from '../delivery/constants.ts';
import { isDestinationUrl } from '../delivery/destinations.ts';
import {
  logLevelEnv,
  optionalBucketEnv,
  optionalEnv,
  optionalQueueUrlEnv,
  parameterNameEnv,
  queueUrlEnv,
  type Env,
} from './env.ts';
import { ConfigError } from '../shared/config-error.ts';
import type { DeliveryConfig } from '../delivery/delivery-config.ts';

export type { DeliveryConfig };

function destinationUrl(env: Env, name: string, fallback?: string): string {
  const value = optionalEnv(env, name) ?? fallback;
  if (value === undefined) throw new ConfigError(`${name} is not set`);
  // Never echo the URL: a webhook URL can carry a token.
  if (!isDestinationUrl(value)) throw new ConfigError(`${name} must be an https:// URL`);
  return value;
}

/**
 * Reads and checks the delivery function's configuration. A destination is configured when its
 * queue URL is set, and then needs its other variables. Throws {@link ConfigError} naming the first
 * variable that is missing or invalid; secrets themselves are never in the environment, only the
 * names of the SSM parameters that hold them.
 *
 * @example
 * ```ts
 * const config = readDeliveryConfig(process.env); // at module load, i.e. once per container
 * ```
 */
export function readDeliveryConfig(env: Env): DeliveryConfig {
  const deadLetterQueueUrl = queueUrlEnv(env, 'DEAD_LETTER_QUEUE_URL');
  const level = logLevelEnv(env);
  const pagerDutyQueue = optionalQueueUrlEnv(env, 'PAGERDUTY_QUEUE_URL');
  const slackQueue = optionalQueueUrlEnv(env, 'SLACK_QUEUE_URL');
  const webhookQueue = optionalQueueUrlEnv(env, 'ALERT_WEBHOOK_QUEUE_URL');
  const archiveQueue = optionalQueueUrlEnv(env, 'ARCHIVE_QUEUE_URL');
  const archiveBucket = optionalBucketEnv(env, 'ARCHIVE_BUCKET');
  if (archiveQueue !== undefined && archiveBucket === undefined)
    throw new ConfigError('ARCHIVE_BUCKET is not set (ARCHIVE_QUEUE_URL is)');
  const runbookBaseUrl = optionalEnv(env, 'RUNBOOK_BASE_URL');
  if (runbookBaseUrl !== undefined && !isDestinationUrl(runbookBaseUrl.replaceAll('{ruleId}', 'rule')))
    throw new ConfigError('RUNBOOK_BASE_URL must be an https:// URL');
  return {
    deadLetterQueueUrl,
    logLevel: level,
    ...(runbookBaseUrl === undefined ? {} : { runbookBaseUrl }),
    ...(pagerDutyQueue === undefined
      ? {}
      : {
          pagerDuty: {
            queueUrl: pagerDutyQueue,
            routingKeyParameter: parameterNameEnv(env, 'PAGERDUTY_ROUTING_KEY_PARAMETER'),
            eventsUrl: destinationUrl(env, 'PAGERDUTY_EVENTS_URL', PAGERDUTY_EVENTS_URL),
          },
        }),
    ...(slackQueue === undefined
      ? {}
      : { slack: { queueUrl: slackQueue, webhookUrlParameter: parameterNameEnv(env, 'SLACK_WEBHOOK_URL_PARAMETER') } }),
    ...(webhookQueue === undefined
      ? {}
      : {
          webhook: {
            queueUrl: webhookQueue,
            url: destinationUrl(env, 'ALERT_WEBHOOK_URL'),
            secretParameter: parameterNameEnv(env, 'ALERT_WEBHOOK_SECRET_PARAMETER'),
          },
        }),
    ...(archiveQueue === undefined || archiveBucket === undefined
      ? {}
      : { archive: { queueUrl: archiveQueue, bucket: archiveBucket } }),
  };
}
