import { MAX_OVERLAP_SECONDS } from '../ingestion/poller/seen-events.ts';
import type { LogLevel } from '../shared/log-level.ts';
import { integerEnv, logLevelEnv, requiredEnv, type Env } from './env.ts';
import { httpsUrl } from './https-url.ts';
import { readOrganizations, type PolledOrganization } from './organizations.ts';

/** Configuration of the audit-log poller, read once at cold start. */
export interface PollConfig {
  /** `LOG_LEVEL`: DEBUG, INFO (default), WARN or ERROR. */
  readonly logLevel: LogLevel;
  /**
   * `ORGANIZATIONS` (JSON list), or one organization with its key in `ADMIN_KEY_PARAMETER` (an SSM
   * SecureString holding the OpenAI admin key) and its cursor at `CURSOR_KEY`.
   */
  readonly organizations: readonly PolledOrganization[];
  /** `QUEUE_URL`: the detection queue. */
  readonly queueUrl: string;
  /** `DEAD_LETTER_QUEUE_URL`: the detection DLQ, for events that cannot be packed. */
  readonly deadLetterQueueUrl: string;
  /** `CURSOR_TABLE_NAME`: where the poll cursor items live. */
  readonly cursorTableName: string;
  /** `OPENAI_BASE_URL`, default `https://api.openai.com/v1`; https only (http only to 127.0.0.1). */
  readonly baseUrl: string;
  /** `ADMIN_KEY_MAX_AGE_SECONDS` (default 300): how long a read key is used before it is read again. */
  readonly adminKeyMaxAgeSeconds: number;
  /** `OVERLAP_SECONDS` (default 600, at most 3600), `BACKFILL_HOURS` (default 24), `SLICE_SECONDS` (default 3600). */
  readonly overlapSeconds: number;
  readonly backfillSeconds: number;
  readonly sliceSeconds: number;
}

/**
 * Reads and checks the poller's configuration; throws {@link ConfigError} naming the variable.
 *
 * @example
 * ```ts
 * const config = readPollConfig(process.env);
 * ```
 */
export function readPollConfig(env: Env): PollConfig {
  const cursorKey = env.CURSOR_KEY?.trim() || 'ingest-cursor';
  const listed = (env.ORGANIZATIONS ?? '').trim();
  const singleKey = listed === '' || listed === '[]' ? requiredEnv(env, 'ADMIN_KEY_PARAMETER') : '';
  const organizations = readOrganizations(listed, singleKey, cursorKey);
  const baseUrl = httpsUrl(env.OPENAI_BASE_URL?.trim() || 'https://api.openai.com/v1', 'OPENAI_BASE_URL');
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
  };
}
