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
