import type { LogLevel } from '../pipeline/detect/telemetry.ts';
import { DEFAULT_LEASE_SECONDS } from '../pipeline/dedup/constants.ts';
import { ScopePolicyError } from '../detection/rules/openai/errors.ts';
import type { ScopePolicy } from '../detection/rules/openai/scope-policy.ts';
import { printable } from '../util/printable.ts';
import { integerEnv, requiredEnv, type Env } from './env.ts';
import { ConfigError } from './errors.ts';
import { loadScopePolicy } from './scope-policy-file.ts';

/** Configuration of the detection function, read once at cold start. */
export interface DetectConfig {
  /** `DEDUP_TABLE_NAME`: the DynamoDB dedup table. */
  readonly tableName: string;
  /** `ALERT_TOPIC_ARN`: the SNS topic alerts are published to. */
  readonly topicArn: string;
  /** `DEAD_LETTER_QUEUE_URL`: where permanent failures are kept. */
  readonly deadLetterQueueUrl: string;
  /** `ELEVATED_SCOPE_POLICY` or `ELEVATED_SCOPE_POLICY_FILE`; default policy otherwise. */
  readonly scopePolicy: ScopePolicy;
  /** `LOG_LEVEL`: DEBUG, INFO (default), WARN or ERROR. */
  readonly logLevel: LogLevel;
  /** `EVENT_CONCURRENCY`: dedup keys handled at once, 1 to 64 (default 8). */
  readonly concurrency: number;
  /** `DEDUP_LEASE_SECONDS`: how long a publisher holds a window, 5 to 900 (default 60). */
  readonly leaseSeconds: number;
}

const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;


/**
 * Reads and checks the detection function's configuration. Throws {@link ConfigError} naming the
 * first variable that is missing or invalid.
 *
 * @example
 * ```ts
 * const config = readDetectConfig(process.env); // at module load, i.e. once per container
 * ```
 */
export function readDetectConfig(env: Env): DetectConfig {
  const tableName = requiredEnv(env, 'DEDUP_TABLE_NAME');
  const topicArn = requiredEnv(env, 'ALERT_TOPIC_ARN');
  if (!TOPIC_ARN.test(topicArn)) throw new ConfigError(`ALERT_TOPIC_ARN is not an SNS topic ARN: ${JSON.stringify(printable(topicArn))}`);
  const deadLetterQueueUrl = requiredEnv(env, 'DEAD_LETTER_QUEUE_URL');
  if (!/^https?:\/\/[^\s/]+\/\S+$/.test(deadLetterQueueUrl)) {
    throw new ConfigError(`DEAD_LETTER_QUEUE_URL is not a queue URL: ${JSON.stringify(printable(deadLetterQueueUrl))}`);
  }
  const level = (env.LOG_LEVEL?.trim() || 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(printable(level, 40))}`);
  }
  let scopePolicy: ScopePolicy;
  try {
    scopePolicy = loadScopePolicy(env);
  } catch (error) {
    if (error instanceof ScopePolicyError) throw new ConfigError(`invalid elevated-scope policy: ${error.message}`);
    throw error;
  }
  return {
    tableName,
    topicArn,
    deadLetterQueueUrl,
    scopePolicy,
    logLevel: level as LogLevel,
    concurrency: integerEnv(env, 'EVENT_CONCURRENCY', 8, 1, 64),
    leaseSeconds: integerEnv(env, 'DEDUP_LEASE_SECONDS', DEFAULT_LEASE_SECONDS, 5, 900),
  };
}
