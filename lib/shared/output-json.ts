import { maskSecrets } from './mask-secrets.ts';

// What printable() escapes, less what JSON.stringify already escapes (C0 controls, lone
// surrogates): C1 controls (U+009B is a CSI on many terminals) and DEL, bidi controls, line and
// paragraph separators, zero-width characters, the BOM and noncharacters. In JSON text they can only
// stand inside a string, where their \u escapes are the same value.
const RAW_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufdd0-\ufdef\ufeff\ufffe\uffff]/g;

function unicodeEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * JSON text made safe to print, for a machine output that may reach a terminal (a pipe, a file, a
 * pager): anything shaped like an API key masked, and every character a terminal or log viewer
 * would act on written as a `\uXXXX` escape. Parsing it gives the masked value back exactly.
 * Masking the text is safe: a key is letters, digits, `-` and `_`, never JSON syntax.
 *
 * @example
 * ```ts
 * safeJsonText('{"name":"evil\u202etxt"}'); // '{"name":"evil\\u202etxt"}'
 * ```
 */
export function safeJsonText(json: string): string {
  return maskSecrets(json).replace(RAW_UNSAFE, unicodeEscape);
}

/**
 * A value as JSON text for a machine output (`evaluate`'s alert lines, `start --json`, `poll
 * --dry-run`): `JSON.stringify` made {@link safeJsonText}. `space` indents as `JSON.stringify` does.
 *
 * @example
 * ```ts
 * outputJson({ title: 'a\u009b31mb' }); // '{"title":"a\\u009b31mb"}'
 * ```
 */
export function outputJson(value: object, space?: number): string {
  return safeJsonText(JSON.stringify(value, null, space));
}
