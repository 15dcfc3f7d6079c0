/**
 * The key of the poller's cursor item in the dedup table: the default organization's cursor;
 * another organization's is `<key>#<organization id>`. This key and every key starting with `<key>#`
 * belong to the poller alone: the detect role is denied them (infra/iam.yml, from
 * `ingest.cursorKeyPatterns` in infra/settings.cjs, which a test keeps equal to this).
 *
 * @example
 * ```ts
 * const cursorKey = process.env.CURSOR_KEY ?? POLL_CURSOR_KEY; // 'ingest-cursor'
 * ```
 */
export const POLL_CURSOR_KEY = 'ingest-cursor';

/**
 * Whether a table key lies in the poller's cursor namespace: {@link POLL_CURSOR_KEY} itself, or
 * a key starting with `POLL_CURSOR_KEY#`.
 *
 * @example
 * ```ts
 * inPollCursorNamespace('ingest-cursor#org-a'); // true
 * inPollCursorNamespace('OpenAI.API.Key.Anomalous.Activity:api_key.created:u1#1732428000'); // false
 * ```
 */
export function inPollCursorNamespace(key: string): boolean {
  return key === POLL_CURSOR_KEY || key.startsWith(`${POLL_CURSOR_KEY}#`);
}
