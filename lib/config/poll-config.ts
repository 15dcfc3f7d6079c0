import { AUDIT_LOG_STREAMS } from '../ingestion/poller/audit-log-stream.ts';
import { POLL_CURSOR_KEY } from '../ingestion/poller/cursor-key.ts';
import { MAX_OVERLAP_SECONDS } from '../ingestion/poller/seen-events.ts';
import type { PollConfig } from '../ingestion/poller/poll-config.ts';
import { booleanEnv, integerEnv, logLevelEnv, optionalEnv, requiredEnv, type Env } from './env.ts';
import { httpsUrl } from './https-url.ts';
import { readOrganizations } from './organizations.ts';

export type { PollConfig };

/**
 * Reads and checks the poller's configuration; throws {@link ConfigError} naming the variable.
 *
 * @example
 * ```ts
 * const config = readPollConfig(process.env);
 * ```
 */
export function readPollConfig(env: Env): PollConfig {
  const cursorKey = optionalEnv(env, 'CURSOR_KEY') ?? POLL_CURSOR_KEY;
  const listed = (env.ORGANIZATIONS ?? '').trim();
  const singleKey = listed === '' || listed === '[]' ? requiredEnv(env, 'ADMIN_KEY_PARAMETER') : '';
  const organizations = readOrganizations(listed, singleKey, cursorKey);
  const baseUrl = httpsUrl(optionalEnv(env, 'OPENAI_BASE_URL') ?? 'https://api.openai.com/v1', 'OPENAI_BASE_URL');
  return {
    logLevel: logLevelEnv(env),
    organizations,
    queueUrl: requiredEnv(env, 'QUEUE_URL'),
    deadLetterQueueUrl: requiredEnv(env, 'DEAD_LETTER_QUEUE_URL'),
    cursorTableName: requiredEnv(env, 'CURSOR_TABLE_NAME'),
    baseUrl,
    adminKeyMaxAgeSeconds: integerEnv(env, 'ADMIN_KEY_MAX_AGE_SECONDS', 300, 0, 86_400),
    overlapSeconds: integerEnv(env, 'OVERLAP_SECONDS', 600, 0, MAX_OVERLAP_SECONDS),
    backfillSeconds: integerEnv(env, 'BACKFILL_HOURS', 24, 0, 24 * 90) * 3600,
    sliceSeconds: integerEnv(env, 'SLICE_SECONDS', 3600, 60, 86_400),
    streams: booleanEnv(env, 'POLL_TENANT_EVENTS', true) ? AUDIT_LOG_STREAMS : ['organization'],
  };
}
