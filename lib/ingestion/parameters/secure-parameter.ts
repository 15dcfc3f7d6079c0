import { ConfigError } from '../../shared/config-error.ts';
import { NotSecureStringError } from './errors.ts';
import type { SecureStringProvider } from './secure-string-provider.ts';

/** A secret that may change while a container lives (a rotated key): read through a cache. */
export interface SecretSource {
  /** The value; `refresh` asks for a fresh read (after a rejection), which may be rate-limited. */
  get(options?: { readonly refresh?: boolean }): Promise<string>;
  /** Where the value comes from, for messages (never the value). */
  readonly description: string;
}

/** How a {@link SecureParameter} caches. */
export interface SecureParameterOptions {
  /** Seconds a value is used before it is read again (Powertools' `maxAge`). */
  readonly maxAgeSeconds: number;
  /** What the value is, for messages: `the admin key`, `the webhook secrets`. */
  readonly what: string;
  /** Forced refreshes happen at most this often (ms), so bad requests cannot turn into SSM calls. */
  readonly minRefreshIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * A `SecureString` parameter read through Powertools Parameters: cached for `maxAgeSeconds`, read
 * again at once when asked to refresh (a 401 after the key was rotated), and checked to be a
 * `SecureString` and not empty. Errors are {@link ConfigError}s naming the parameter, never its value.
 *
 * @example
 * ```ts
 * const adminKey = new SecureParameter(provider, '/openai-audit-alerts/admin-key', { maxAgeSeconds: 300, what: 'the admin key' });
 * const key = await adminKey.get();
 * ```
 */
export class SecureParameter implements SecretSource {
  readonly #provider: SecureStringProvider;
  readonly #name: string;
  readonly #options: SecureParameterOptions;
  #lastRefresh = Number.NEGATIVE_INFINITY;

  public constructor(provider: SecureStringProvider, name: string, options: SecureParameterOptions) {
    this.#provider = provider;
    this.#name = name;
    this.#options = options;
  }

  public get description(): string {
    return `the SSM parameter ${this.#name}`;
  }

  public async get(options: { readonly refresh?: boolean } = {}): Promise<string> {
    const now = (this.#options.now ?? Date.now)();
    const forceFetch = options.refresh === true && now - this.#lastRefresh >= (this.#options.minRefreshIntervalMs ?? 0);
    if (forceFetch) this.#lastRefresh = now;
    let value: string | undefined;
    try {
      value = await this.#provider.get(this.#name, { maxAge: this.#options.maxAgeSeconds, forceFetch });
    } catch (error) {
      // Powertools wraps the SDK's error; its cause says what went wrong (never the value).
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      if (cause instanceof NotSecureStringError) throw new ConfigError(cause.message);
      const reason = cause instanceof Error ? cause.name : 'unknown error';
      throw new ConfigError(
        `cannot read ${this.#options.what} from the SSM parameter ${this.#name} (${reason}): create it as a SecureString, and check the function's permissions`,
      );
    }
    if (!value?.trim()) throw new ConfigError(`the SSM parameter ${this.#name} is empty`);
    return value.trim();
  }
}

/**
 * A secret that does not change (a CLI's environment variable, a local run).
 *
 * @example
 * ```ts
 * const key = staticSecret(process.env.OPENAI_ADMIN_KEY ?? '', 'OPENAI_ADMIN_KEY');
 * ```
 */
export function staticSecret(value: string, description: string): SecretSource {
  return { description, get: () => Promise.resolve(value) };
}
