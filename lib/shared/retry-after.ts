/**
 * The wait an HTTP `Retry-After` header asks for, in milliseconds: delay-seconds or an HTTP date
 * (RFC 9110, section 10.2.3). Undefined when the header is absent or unreadable, so the caller falls
 * back to its own backoff.
 *
 * @example
 * ```ts
 * retryAfterMs('7');                                                        // 7000
 * retryAfterMs('Wed, 25 Nov 2026 00:00:10 GMT', Date.parse('2026-11-25T00:00:00Z')); // 10000
 * ```
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
