import { printable } from '../../shared/printable.ts';

/** What Node's errno and undici's codes mean, for a person. */
const MEANINGS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'DNS lookup failed (no such host)',
  EAI_AGAIN: 'DNS lookup failed (temporary: no DNS server answered)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server or a proxy',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable (no route: offline?)',
  EPIPE: 'connection closed while sending',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'the response body stalled',
  UND_ERR_SOCKET: 'the connection failed',
  CERT_HAS_EXPIRED: 'TLS: the server certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS: the server certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS: a self-signed certificate in the chain (a proxy intercepting TLS?)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS: the server certificate cannot be verified',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS: the certificate issuer is unknown (a proxy intercepting TLS?)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS: the certificate does not match the host name',
};

interface ErrorWithCode {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly hostname?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

/**
 * The real cause of a failed `fetch`: Node reports only "fetch failed" and hides DNS, refused
 * connections, timeouts and TLS problems in the error's `cause` chain (or an `AggregateError` of
 * one error per address tried). Walks that chain and says what happened, e.g. `DNS lookup failed
 * (no such host) for api.openai.com (ENOTFOUND)`.
 *
 * @example
 * ```ts
 * try { await fetch(url); } catch (error) { stderr(`network error: ${networkCause(error)}`); }
 * ```
 */
export function networkCause(error: unknown): string {
  const seen = new Set<unknown>();
  let fallback: string | undefined;
  const queue: unknown[] = [error];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    seen.add(item);
    const e = item as ErrorWithCode;
    if (typeof e.code === 'string' && e.code !== '') {
      const where =
        typeof e.hostname === 'string'
          ? ` for ${e.hostname}`
          : typeof e.address === 'string'
            ? ` to ${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}`
            : '';
      const meaning = MEANINGS[e.code] ?? (typeof e.message === 'string' ? e.message : 'failed');
      return printable(`${meaning}${where} (${e.code})`, 300);
    }
    if (fallback === undefined && typeof e.message === 'string' && e.message !== '' && e.message !== 'fetch failed')
      fallback = e.message;
    if (e.cause !== undefined) queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...(e.errors as unknown[]));
  }
  return printable(fallback ?? (error instanceof Error ? error.message : 'unknown'), 300);
}
