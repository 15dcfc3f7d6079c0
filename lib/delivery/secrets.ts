import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { DestinationSecretError } from './errors.ts';

/**
 * Where destination secrets come from, by SSM parameter name.
 *
 * @example
 * ```ts
 * const routingKey = await secrets.get('/openai-audit-alerts/pagerduty-routing-key');
 * ```
 */
export interface SecretSource {
  get(parameterName: string): Promise<string>;
}

/** How long a secret read from SSM is kept before it is read again (rotation takes effect then). */
export const SECRET_CACHE_MS = 5 * 60 * 1000;

/**
 * {@link SecretSource} on SSM Parameter Store SecureStrings (decrypted by SSM). Each value is kept
 * for {@link SECRET_CACHE_MS}, so a rotated secret is picked up within minutes without a deploy and
 * a busy function does not call SSM per alert. Errors name the parameter and the AWS error, never a
 * value.
 *
 * @example
 * ```ts
 * const secrets = new SsmSecretSource(new SSMClient({}));
 * ```
 */
export class SsmSecretSource implements SecretSource {
  readonly #client: SSMClient;
  readonly #cacheMs: number;
  readonly #nowMs: () => number;
  readonly #cache = new Map<string, { value: Promise<string>; until: number }>();

  public constructor(client: SSMClient, options: { cacheMs?: number; nowMs?: () => number } = {}) {
    this.#client = client;
    this.#cacheMs = options.cacheMs ?? SECRET_CACHE_MS;
    this.#nowMs = options.nowMs ?? Date.now;
  }

  public get(parameterName: string): Promise<string> {
    const now = this.#nowMs();
    const cached = this.#cache.get(parameterName);
    if (cached !== undefined && cached.until > now) return cached.value;
    const value = this.#read(parameterName);
    this.#cache.set(parameterName, { value, until: now + this.#cacheMs });
    // A failed read is not kept: the next alert tries again.
    value.catch(() => this.#cache.delete(parameterName));
    return value;
  }

  async #read(name: string): Promise<string> {
    let value: string | undefined;
    try {
      const result = await this.#client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      value = result.Parameter?.Value;
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'unknown error';
      throw new DestinationSecretError(`cannot read the SSM parameter ${name} (${reason}): create it as a SecureString, and check the delivery function's permissions`);
    }
    if (!value?.trim()) throw new DestinationSecretError(`the SSM parameter ${name} is empty`);
    return value.trim();
  }
}

/**
 * A {@link SecretSource} over fixed values, for local runs and tests.
 *
 * @example
 * ```ts
 * const secrets = staticSecrets({ '/oaa/slack-webhook-url': receiver.url });
 * ```
 */
export function staticSecrets(values: Readonly<Record<string, string>>): SecretSource {
  return {
    get: (name) => (Object.hasOwn(values, name) ? Promise.resolve(values[name] as string) : Promise.reject(new DestinationSecretError(`no secret named ${name}`))),
  };
}
