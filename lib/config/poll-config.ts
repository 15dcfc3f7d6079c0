import { printable } from '../util/printable.ts';
import { ConfigError } from './errors.ts';

/** Configuration of the audit-log poller, read once at cold start. */
export interface PollConfig {
  /** `ADMIN_KEY_PARAMETER`: SSM SecureString holding the OpenAI admin key. */
  readonly adminKeyParameter: string;
  /** `QUEUE_URL`: the detection queue. */
  readonly queueUrl: string;
  /** `CURSOR_TABLE_NAME` and `CURSOR_KEY`: where the poll cursor item lives. */
  readonly cursorTableName: string;
  readonly cursorKey: string;
  /** `OPENAI_BASE_URL`, default `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  /** `OVERLAP_SECONDS` (default 600), `BACKFILL_HOURS` (default 24), `SLICE_SECONDS` (default 3600). */
  readonly overlapSeconds: number;
  readonly backfillSeconds: number;
  readonly sliceSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(printable(raw, 40))}`);
  }
  return value;
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
  const baseUrl = env.OPENAI_BASE_URL?.trim() || 'https://api.openai.com/v1';
  if (!/^https?:\/\/\S+$/.test(baseUrl)) throw new ConfigError(`OPENAI_BASE_URL is not a URL: ${JSON.stringify(printable(baseUrl))}`);
  return {
    adminKeyParameter: required(env, 'ADMIN_KEY_PARAMETER'),
    queueUrl: required(env, 'QUEUE_URL'),
    cursorTableName: required(env, 'CURSOR_TABLE_NAME'),
    cursorKey: env.CURSOR_KEY?.trim() || 'ingest-cursor',
    baseUrl,
    overlapSeconds: integer(env, 'OVERLAP_SECONDS', 600, 0, 86_400),
    backfillSeconds: integer(env, 'BACKFILL_HOURS', 24, 0, 24 * 90) * 3600,
    sliceSeconds: integer(env, 'SLICE_SECONDS', 3600, 60, 86_400),
  };
}
