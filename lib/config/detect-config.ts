import { DEFAULT_LEASE_SECONDS, LEASE_MARGIN_SECONDS } from '../pipeline/dedup/constants.ts';
import { RulesConfigError } from '../detection/engine/errors.ts';
import { ScopePolicyError } from '../detection/rules/openai/errors.ts';
import type { ScopePolicy } from '../detection/rules/openai/scope-policy.ts';
import { printable } from '../shared/printable.ts';
import {
  integerEnv,
  logLevelEnv,
  optionalBucketEnv,
  optionalIntegerEnv,
  queueUrlEnv,
  requiredEnv,
  type Env,
} from './env.ts';
import { ConfigError } from '../shared/config-error.ts';
import { loadRulesConfig } from './rules-config-file.ts';
import type { RulesConfig } from './parse-rules-settings.ts';
import { loadScopePolicy } from './scope-policy-file.ts';
import type { DetectConfig } from '../pipeline/detect/detect-config.ts';

export type { DetectConfig };

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/**
 * Reads and checks the detection function's configuration. Throws {@link ConfigError} naming the
 * first variable that is missing or invalid. `ownRules` are the detections of the rules folder
 * (`RULES_DIR`), loaded by the caller: the rules configuration may name them. The function loads
 * them only when the folder is set, so the YAML parser stays out of its cold start otherwise.
 *
 * @example
 * ```ts
 * const config = readDetectConfig(process.env); // at module load, i.e. once per container
 * ```
 */
export function readDetectConfig(env: Env, ownRules: DetectConfig['ownRules'] = []): DetectConfig {
  const tableName = requiredEnv(env, 'DEDUP_TABLE_NAME');
  const topicArn = requiredEnv(env, 'ALERT_TOPIC_ARN');
  if (!TOPIC_ARN.test(topicArn))
    throw new ConfigError(`ALERT_TOPIC_ARN is not an SNS topic ARN: ${JSON.stringify(printable(topicArn))}`);
  const deadLetterQueueUrl = queueUrlEnv(env, 'DEAD_LETTER_QUEUE_URL');
  const archiveBucket = optionalBucketEnv(env, 'ARCHIVE_BUCKET');
  const level = logLevelEnv(env);
  let scopePolicy: ScopePolicy;
  try {
    scopePolicy = loadScopePolicy(env);
  } catch (error) {
    if (error instanceof ScopePolicyError) throw new ConfigError(`invalid elevated-scope policy: ${error.message}`);
    throw error;
  }
  const functionTimeoutSeconds = optionalIntegerEnv(env, 'FUNCTION_TIMEOUT_SECONDS', 1, 900);
  const visibilityTimeoutSeconds = optionalIntegerEnv(env, 'QUEUE_VISIBILITY_TIMEOUT_SECONDS', 0, 43_200);
  const leaseSeconds = integerEnv(env, 'DEDUP_LEASE_SECONDS', DEFAULT_LEASE_SECONDS, 5, 900);
  checkTimeoutOrder(functionTimeoutSeconds, leaseSeconds, visibilityTimeoutSeconds);
  let rulesConfig: RulesConfig;
  try {
    rulesConfig = loadRulesConfig(env, undefined, ownRules);
  } catch (error) {
    if (error instanceof RulesConfigError) throw new ConfigError(`invalid rules configuration: ${error.message}`);
    throw error;
  }
  return {
    tableName,
    topicArn,
    deadLetterQueueUrl,
    ...(archiveBucket === undefined ? {} : { archiveBucket }),
    scopePolicy,
    rules: rulesConfig.rules,
    orgDomains: rulesConfig.orgDomains,
    ownRules,
    logLevel: level,
    concurrency: integerEnv(env, 'EVENT_CONCURRENCY', 8, 1, 64),
    leaseSeconds,
    maxReceiveCount: optionalIntegerEnv(env, 'MAX_RECEIVE_COUNT', 1, 1000),
    functionTimeoutSeconds,
    visibilityTimeoutSeconds,
  };
}

/**
 * The order the no-loss protocol relies on: a live publisher's lease (its invocation's remaining
 * time plus a margin, at most the function timeout plus the margin) ends before the queue makes its
 * record visible again, so a redelivery never finds a dead publisher's lease still running, and the
 * lease never ends while its publisher can still run.
 */
function checkTimeoutOrder(timeout: number | undefined, leaseSeconds: number, visibility: number | undefined): void {
  if (visibility === undefined) return;
  if (timeout !== undefined && timeout + LEASE_MARGIN_SECONDS >= visibility) {
    throw new ConfigError(
      `FUNCTION_TIMEOUT_SECONDS (${timeout}) plus the lease margin (${LEASE_MARGIN_SECONDS}) must be below QUEUE_VISIBILITY_TIMEOUT_SECONDS (${visibility})`,
    );
  }
  if (leaseSeconds >= visibility) {
    throw new ConfigError(
      `DEDUP_LEASE_SECONDS (${leaseSeconds}) must be below QUEUE_VISIBILITY_TIMEOUT_SECONDS (${visibility})`,
    );
  }
}
