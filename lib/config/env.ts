import { bucketProblem } from '../archive/location.ts';
import type { LogLevel } from '../shared/log-level.ts';
import { printable } from '../shared/printable.ts';
import { ConfigError } from '../shared/config-error.ts';

/** Environment variables as read. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * A required variable, trimmed; {@link ConfigError} naming it when unset or blank.
 *
 * @example
 * ```ts
 * const table = requiredEnv(process.env, 'DEDUP_TABLE_NAME');
 * ```
 */
export function requiredEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set`);
  return value;
}

/**
 * An optional variable, trimmed; `undefined` when unset or blank.
 *
 * @example
 * ```ts
 * const cursorKey = optionalEnv(process.env, 'CURSOR_KEY') ?? 'ingest-cursor';
 * ```
 */
export function optionalEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * An optional S3 bucket name; {@link ConfigError} quoting a value that is not one.
 *
 * @example
 * ```ts
 * const archiveBucket = optionalBucketEnv(process.env, 'ARCHIVE_BUCKET'); // undefined: no archive
 * ```
 */
export function optionalBucketEnv(env: Env, name: string): string | undefined {
  const value = optionalEnv(env, name);
  if (value !== undefined && bucketProblem(value) !== undefined)
    throw new ConfigError(`${name} is not an S3 bucket name: ${JSON.stringify(printable(value))}`);
  return value;
}

const QUEUE_URL = /^https?:\/\/[^\s/]+\/\S+$/;

function checkQueueUrl(value: string, name: string): string {
  if (!QUEUE_URL.test(value)) throw new ConfigError(`${name} is not a queue URL: ${JSON.stringify(printable(value))}`);
  return value;
}

/**
 * An optional SQS queue URL; {@link ConfigError} quoting a value that is not one.
 *
 * @example
 * ```ts
 * const slackQueue = optionalQueueUrlEnv(process.env, 'SLACK_QUEUE_URL'); // undefined: Slack is off
 * ```
 */
export function optionalQueueUrlEnv(env: Env, name: string): string | undefined {
  const value = optionalEnv(env, name);
  return value === undefined ? undefined : checkQueueUrl(value, name);
}

/**
 * A required SQS queue URL; {@link ConfigError} naming it when unset, quoting a value that is not one.
 *
 * @example
 * ```ts
 * const deadLetterQueueUrl = queueUrlEnv(process.env, 'DEAD_LETTER_QUEUE_URL');
 * ```
 */
export function queueUrlEnv(env: Env, name: string): string {
  return checkQueueUrl(requiredEnv(env, name), name);
}

const SSM_PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

/**
 * Whether a value is a full SSM parameter name (`/` first, then letters, digits and `_.-/`).
 *
 * @example
 * ```ts
 * isParameterName('/openai-audit-alerts/admin-key'); // true
 * isParameterName('admin-key');                      // false
 * ```
 */
export function isParameterName(value: unknown): value is string {
  return typeof value === 'string' && SSM_PARAMETER_NAME.test(value);
}

/**
 * A required SSM parameter name; {@link ConfigError} naming the variable and quoting a bad value.
 *
 * @example
 * ```ts
 * const routingKey = parameterNameEnv(process.env, 'PAGERDUTY_ROUTING_KEY_PARAMETER');
 * ```
 */
export function parameterNameEnv(env: Env, name: string): string {
  const value = requiredEnv(env, name);
  if (!isParameterName(value))
    throw new ConfigError(
      `${name} must be a full SSM parameter name starting with /, got ${JSON.stringify(printable(value))}`,
    );
  return value;
}

/**
 * An optional integer variable within bounds, else `fallback`; {@link ConfigError} naming it and
 * quoting the bad value.
 *
 * @example
 * ```ts
 * const concurrency = integerEnv(process.env, 'EVENT_CONCURRENCY', 8, 1, 64);
 * ```
 */
export function integerEnv(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(printable(raw, 40))}`,
    );
  }
  return value;
}

/**
 * An optional `true` / `false` variable (any case), else `fallback`; {@link ConfigError} naming it
 * and quoting anything else.
 *
 * @example
 * ```ts
 * const tenant = booleanEnv(process.env, 'POLL_TENANT_EVENTS', true);
 * ```
 */
export function booleanEnv(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw !== 'true' && raw !== 'false')
    throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(printable(raw, 40))}`);
  return raw === 'true';
}

/**
 * An optional integer variable within bounds, `undefined` when unset or blank; {@link ConfigError}
 * naming it and quoting a bad value.
 *
 * @example
 * ```ts
 * const maxReceiveCount = optionalIntegerEnv(process.env, 'MAX_RECEIVE_COUNT', 1, 1000);
 * ```
 */
export function optionalIntegerEnv(env: Env, name: string, min: number, max: number): number | undefined {
  return optionalEnv(env, name) === undefined ? undefined : integerEnv(env, name, 0, min, max);
}

const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * `LOG_LEVEL` (the `logLevel` deploy parameter, set on every function): DEBUG, INFO (default),
 * WARN or ERROR, in any case; {@link ConfigError} quoting a bad value.
 *
 * @example
 * ```ts
 * const logger = new Logger({ serviceName, logLevel: logLevelEnv(process.env) });
 * ```
 */
export function logLevelEnv(env: Env): LogLevel {
  const level = (env.LOG_LEVEL?.trim() || 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(printable(level, 40))}`,
    );
  }
  return level as LogLevel;
}
