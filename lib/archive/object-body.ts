import { gunzipSync, gzipSync } from 'node:zlib';
import { describeError } from '../shared/describe-error.ts';

/**
 * The gzip level of every object. zlib with a fixed level (and Node's header: no name, no time)
 * gives the same bytes for the same text, so a redelivered batch rewrites its objects unchanged.
 *
 * @example
 * ```ts
 * gzipSync(text, { level: GZIP_LEVEL });
 * ```
 */
export const GZIP_LEVEL = 6;

/**
 * The body of an archive object: the lines, each followed by `\n`, in UTF-8, gzipped
 * deterministically ({@link GZIP_LEVEL}).
 *
 * @example
 * ```ts
 * const body = gzipLines(['{"a":1}', '{"b":2}']); // gunzips to '{"a":1}\n{"b":2}\n'
 * ```
 */
export function gzipLines(lines: readonly string[]): Uint8Array {
  const text = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  return new Uint8Array(gzipSync(Buffer.from(text, 'utf8'), { level: GZIP_LEVEL }));
}

/**
 * One line of an object, numbered from 1 as it stands in the object's text.
 *
 * @example
 * ```ts
 * const line: NumberedLine = { number: 3, text: '{"organization_id":null,...}' };
 * ```
 */
export interface NumberedLine {
  readonly number: number;
  readonly text: string;
}

/**
 * What {@link objectLines} makes of a body: its lines that are not blank, or why it cannot be read.
 *
 * @example
 * ```ts
 * const read: ObjectLines = objectLines(body);
 * if ('problem' in read) report({ key, reason: read.problem });
 * ```
 */
export type ObjectLines = { readonly lines: readonly NumberedLine[] } | { readonly problem: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The lines of an object's body, numbered, blank ones left out: the body gunzipped (a body that
 * does not start with gzip's magic bytes, as some HTTP clients hand over after undoing
 * `Content-Encoding: gzip`, is read as it is), UTF-8, `\n` or `\r\n` line ends. A body that is not
 * gzip or not UTF-8 is a problem, never an exception.
 *
 * @example
 * ```ts
 * const read = objectLines(body);
 * if ('lines' in read) for (const { number, text } of read.lines) decodeEventLine(text);
 * ```
 */
export function objectLines(body: Uint8Array): ObjectLines {
  let bytes = body;
  if (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
    try {
      bytes = gunzipSync(body);
    } catch (error) {
      return { problem: `not a readable gzip object: ${describeError(error)}` };
    }
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { problem: 'not UTF-8 text' };
  }
  const lines: NumberedLine[] = [];
  let number = 0;
  for (const raw of text.split('\n')) {
    number++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() !== '') lines.push({ number, text: line });
  }
  return { lines };
}
