import { DEFAULT_ORGANIZATION, type Organization } from '../ingestion/packing/organization.ts';
import type { LogLevel } from '../shared/log-level.ts';
import { integerEnv, logLevelEnv, requiredEnv, type Env } from './env.ts';
import { ConfigError } from '../shared/config-error.ts';
import { quote } from '../shared/printable.ts';
import { readOrganizations } from './organizations.ts';

/** Configuration of the webhook function, read once at cold start. */
export interface WebhookConfig {
  /** `LOG_LEVEL`: DEBUG, INFO (default), WARN or ERROR. */
  readonly logLevel: LogLevel;
  /** `QUEUE_URL`: the detection queue. */
  readonly queueUrl: string;
  /** `WEBHOOK_SECRET_PARAMETER`: SSM SecureString with the signing secrets (and bearer tokens). */
  readonly secretParameter: string;
  /** `WEBHOOK_SECRET_MAX_AGE_SECONDS` (default 60): how long the secret is used before it is read again. */
  readonly secretMaxAgeSeconds: number;
  /** `WEBHOOK_DELIVERIES_TABLE`: webhook-ids seen (replay protection). */
  readonly deliveriesTable: string;
  /** `WEBHOOK_BEARER_AUTH` (`true` or `false`, default false). */
  readonly bearerEnabled: boolean;
  /** `ORGANIZATIONS` (as for the poller): requests may name these; the first is the default. */
  readonly organizations: readonly Organization[];
}

/**
 * Reads and checks the webhook's configuration; {@link ConfigError} names the variable.
 *
 * @example
 * ```ts
 * const config = readWebhookConfig(process.env);
 * ```
 */
export function readWebhookConfig(env: Env): WebhookConfig {
  const bearer = (env.WEBHOOK_BEARER_AUTH ?? 'false').trim().toLowerCase();
  if (bearer !== 'true' && bearer !== 'false')
    throw new ConfigError(`WEBHOOK_BEARER_AUTH must be true or false, got ${quote(bearer, 20)}`);
  const listed = (env.ORGANIZATIONS ?? '').trim();
  const organizations =
    listed === '' ? [DEFAULT_ORGANIZATION] : readOrganizations(listed, '/unused', 'unused').map((o) => o.organization);
  return {
    logLevel: logLevelEnv(env),
    queueUrl: requiredEnv(env, 'QUEUE_URL'),
    secretParameter: requiredEnv(env, 'WEBHOOK_SECRET_PARAMETER'),
    secretMaxAgeSeconds: integerEnv(env, 'WEBHOOK_SECRET_MAX_AGE_SECONDS', 60, 0, 3600),
    deliveriesTable: requiredEnv(env, 'WEBHOOK_DELIVERIES_TABLE'),
    bearerEnabled: bearer === 'true',
    organizations,
  };
}
