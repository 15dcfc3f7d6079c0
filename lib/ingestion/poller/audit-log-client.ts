import { isJsonObject, ownValue, type JsonObject } from '../../shared/json.ts';
import { printable } from '../../shared/printable.ts';
import { retryAfterMs } from '../../shared/retry-after.ts';
import type { SecretSource } from '../parameters/secure-parameter.ts';
import { AdminKeyRejectedError, AuditLogRequestError, AuditLogUnavailableError } from './errors.ts';
import { networkCause } from './network-cause.ts';

/** One page of `GET /organization/audit_logs`. */
export interface AuditLogPage {
  readonly data: JsonObject[];
  readonly hasMore: boolean;
  readonly lastId: string | undefined;
}

/** A page request: `effective_at` bounds (inclusive, Unix seconds) and the `after` cursor. */
export interface PageQuery {
  readonly effectiveAtGte: number;
  readonly effectiveAtLte: number;
  readonly after?: string;
  /** List the tenant-scoped event types only (`tenant_only=true`): the `tenant` stream. */
  readonly tenantOnly?: boolean;
}

/** A failed attempt that will be retried, for progress reports. */
export interface RetryNotice {
  readonly attempt: number;
  readonly maxAttempts: number;
  /** e.g. `HTTP 503`, `network error: connection refused to 127.0.0.1:9 (ECONNREFUSED)`. */
  readonly problem: string;
  readonly waitMs: number;
}

/** How the client reaches the API and waits between attempts. */
export interface AuditLogClientOptions {
  /** e.g. `https://api.openai.com/v1` (checked by the configuration: https, or http to 127.0.0.1). */
  readonly baseUrl: string;
  /** The admin key; read again once when OpenAI rejects it (it may have been rotated). */
  readonly adminKey: SecretSource;
  /** Where the key comes from, for error messages (e.g. `the SSM parameter /openai/admin-key`). */
  readonly keySource: string;
  /** Told of every failed attempt before the wait that follows it. */
  readonly onRetry?: (notice: RetryNotice) => void;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Milliseconds left before the caller must stop; waits never exceed it. */
  readonly remainingMs?: () => number;
  readonly maxAttempts?: number;
  readonly pageSize?: number;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 20_000;

export { retryAfterMs };

/**
 * Client of OpenAI's audit log list endpoint. Retries 429 after `Retry-After`, and 5xx and network
 * errors with capped exponential backoff and full jitter. A 401/403 reads the key again once (it
 * may have been rotated) and retries if it changed; otherwise it is an {@link AdminKeyRejectedError}. The key is sent only in the Authorization header and never
 * appears in an error.
 *
 * @example
 * ```ts
 * const client = new AuditLogClient({ baseUrl, adminKey: staticSecret(key, 'OPENAI_ADMIN_KEY'), keySource: 'OPENAI_ADMIN_KEY' });
 * const page = await client.listPage({ effectiveAtGte: 0, effectiveAtLte: now });
 * ```
 */
export class AuditLogClient {
  readonly #options: Required<Omit<AuditLogClientOptions, 'remainingMs' | 'onRetry'>> &
    Pick<AuditLogClientOptions, 'onRetry'> & { remainingMs: () => number };

  public constructor(options: AuditLogClientOptions) {
    this.#options = {
      fetch: globalThis.fetch.bind(globalThis),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      remainingMs: () => Number.POSITIVE_INFINITY,
      maxAttempts: 8,
      pageSize: 100,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
    };
  }

  public async listPage(query: PageQuery): Promise<AuditLogPage> {
    const params = new URLSearchParams({
      limit: String(this.#options.pageSize),
      'effective_at[gte]': String(query.effectiveAtGte),
      'effective_at[lte]': String(query.effectiveAtLte),
    });
    if (query.after !== undefined) params.set('after', query.after);
    if (query.tenantOnly === true) params.set('tenant_only', 'true');
    const url = `${this.#options.baseUrl}/organization/audit_logs?${params.toString()}`;
    let adminKey = await this.#options.adminKey.get();
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let waitMs: number;
      let problem: string;
      try {
        const response = await this.#options.fetch(url, {
          headers: { Authorization: `Bearer ${adminKey}`, Accept: 'application/json' },
        });
        if (response.ok) return parsePage(await response.text());
        if (response.status === 401 || response.status === 403) {
          await response.body?.cancel().catch(() => undefined);
          // The key may have been rotated since it was cached: read it again, once, and retry
          // at once if it changed; the same key rejected twice is a configuration problem.
          const fresh = refreshed ? adminKey : await this.#options.adminKey.get({ refresh: true });
          if (refreshed || fresh === adminKey)
            throw new AdminKeyRejectedError(response.status, this.#options.keySource);
          refreshed = true;
          adminKey = fresh;
          attempt--;
          continue;
        }
        if (response.status !== 429 && response.status < 500) {
          throw new AuditLogRequestError(
            `the audit log API answered HTTP ${response.status}: ${printable(await response.text(), 300)}`,
          );
        }
        problem = `HTTP ${response.status}`;
        const backoff = this.#backoff(attempt);
        waitMs = response.status === 429 ? (retryAfterMs(response.headers.get('retry-after')) ?? backoff) : backoff;
        await response.body?.cancel().catch(() => undefined);
      } catch (error) {
        if (error instanceof AdminKeyRejectedError || error instanceof AuditLogRequestError) throw error;
        problem = `network error: ${networkCause(error)}`;
        waitMs = this.#backoff(attempt);
      }
      if (attempt >= this.#options.maxAttempts)
        throw new AuditLogUnavailableError(
          `the audit log API at ${hostOf(url)} failed ${attempt} times (last: ${problem})`,
        );
      if (waitMs >= this.#options.remainingMs())
        throw new AuditLogUnavailableError(
          `the audit log API asked to wait ${Math.ceil(waitMs / 1000)}s (last: ${problem}); not enough time left in this run`,
        );
      this.#options.onRetry?.({ attempt, maxAttempts: this.#options.maxAttempts, problem, waitMs });
      await this.#options.sleep(waitMs);
    }
  }

  #backoff(attempt: number): number {
    // Full jitter: a random wait up to the capped exponential bound.
    return Math.floor(this.#options.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)));
  }
}

function hostOf(url: string): string {
  return new URL(url).host;
}

function parsePage(text: string): AuditLogPage {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AuditLogRequestError('the audit log API answered with something that is not JSON');
  }
  const data = isJsonObject(body) ? ownValue(body, 'data') : undefined;
  if (!isJsonObject(body) || !Array.isArray(data))
    throw new AuditLogRequestError('the audit log API answered without a "data" list');
  const lastId = ownValue(body, 'last_id');
  return {
    data: data.filter(isJsonObject),
    hasMore: ownValue(body, 'has_more') === true,
    lastId: typeof lastId === 'string' ? lastId : undefined,
  };
}
