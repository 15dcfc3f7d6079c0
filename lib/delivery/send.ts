import { printable } from '../shared/printable.ts';
import { retryAfterMs } from '../shared/retry-after.ts';
import { REQUEST_TIMEOUT_MS } from './constants.ts';
import type { DeliveryRequest } from './destination.ts';

/**
 * What one HTTP attempt came to:
 * - `delivered`: a 2xx answer;
 * - `retry`: worth trying again later (429, 408, 5xx, no answer, a network error), with the wait
 *   the destination asked for in `Retry-After`, if it did;
 * - `rejected`: the destination refused this request for good (another 4xx, or a redirect, which is
 *   not followed: the URL should be corrected instead); sending it again cannot help.
 */
export type SendOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly kind: 'rejected'; readonly status: number; readonly reason: string };

/** How requests are made. */
export interface SendOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  /** Milliseconds since the epoch, for `Retry-After` given as a date. */
  readonly nowMs?: () => number;
}

const ANSWER_EXCERPT_CHARS = 200;

function isRetryable(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

function networkProblem(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'no answer in time';
  // Only the error code: undici's messages can carry the host and port, never needed here.
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'unknown';
  return `network error (${printable(code, 40)})`;
}

async function excerpt(response: Response): Promise<string> {
  try {
    const text = (await response.text()).trim();
    return text === '' ? '' : `: ${printable(text, ANSWER_EXCERPT_CHARS)}`;
  } catch {
    return '';
  }
}

/**
 * POSTs a delivery request once and classifies the answer (see {@link SendOutcome}). Never throws.
 * Redirects are not followed; the request gives up after `timeoutMs` (15 s by default). Messages
 * hold the status and a short, escaped excerpt of the answer, never the URL.
 *
 * @example
 * ```ts
 * const outcome = await sendRequest({ url, body, headers });
 * if (outcome.kind === 'retry') defer(outcome.retryAfterMs);
 * ```
 */
export async function sendRequest(request: DeliveryRequest, options: SendOptions = {}): Promise<SendOutcome> {
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  let response: Response;
  try {
    response = await fetchFn(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    return { kind: 'retry', reason: networkProblem(error) };
  }
  const answer = await excerpt(response);
  if (response.status >= 200 && response.status < 300) return { kind: 'delivered', status: response.status };
  if (isRetryable(response.status)) {
    const wait = retryAfterMs(response.headers.get('retry-after'), options.nowMs?.() ?? Date.now());
    return {
      kind: 'retry',
      reason: `HTTP ${response.status}${answer}`,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    };
  }
  const redirect =
    response.status >= 300 && response.status < 400 ? ' (redirects are not followed: configure the final URL)' : '';
  return { kind: 'rejected', status: response.status, reason: `HTTP ${response.status}${redirect}${answer}` };
}
