import { DEFAULT_PRINTABLE_LIMIT } from './constants.ts';
import { maskSecrets } from './mask-secrets.ts';

// C0 and C1 controls, DEL, Unicode line/paragraph separators, bidi embeddings/overrides/isolates,
// zero-width and BOM characters, lone surrogates, and the noncharacters U+FDD0-U+FDEF, U+FFFE and
// U+FFFF: anything that can move a cursor, hide text or re-order a line on a terminal or in a log
// viewer, or that a service may refuse (SQS refuses U+FFFE and U+FFFF).
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufdd0-\ufdef\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;

function escapeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes an untrusted string safe for one line of a terminal or a log: anything shaped like an API
 * key is masked, control, bidi and invisible characters, noncharacters and lone surrogates become visible
 * `\uXXXX` escapes, and the result is cut to `limit` characters with an ellipsis.
 *
 * @example
 * ```ts
 * printable('evil\u202Etxt.exe\r\n'); // 'evil\\u202etxt.exe\\r\\n'
 * ```
 */
export function printable(text: string, limit: number = DEFAULT_PRINTABLE_LIMIT): string {
  const masked = maskSecrets(text);
  const cut = masked.length > limit ? `${masked.slice(0, limit)}…` : masked;
  return cut.replace(UNSAFE, escapeChar);
}

/**
 * An untrusted string in double quotes for a message: API keys masked, cut to `limit` characters
 * (masking first, so a key on the cut is masked whole), then JSON-escaped (quotes, backslashes,
 * control characters), with what JSON leaves raw escaped as {@link printable} escapes it.
 *
 * @example
 * ```ts
 * quote('a"b\u001b'); // '"a\\"b\\u001b"'
 * ```
 */
export function quote(text: string, limit: number = DEFAULT_PRINTABLE_LIMIT): string {
  const masked = maskSecrets(text);
  const cut = masked.length > limit ? `${masked.slice(0, limit)}…` : masked;
  // JSON.stringify escapes C0 controls and lone surrogates; UNSAFE catches what it leaves raw.
  return JSON.stringify(cut).replace(UNSAFE, escapeChar);
}
