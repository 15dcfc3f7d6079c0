import { BYTE_SCREEN_CAPACITY, ByteScreenStatus } from './byte-screen-constants.ts';
import { createByteScreen, type ByteScreen } from './byte-screen.ts';
import type { EventTypeWants } from '../../detection/engine/catalog.ts';
import { skipJsonString, skipJsonValue, skipJsonWhitespace, type StringScan } from '../../shared/json-scan.ts';

/**
 * Whether some rule can match events of a type (see `RuleCatalog.eventTypeScreen`). With
 * `wantedTypes`, the list of exactly the types it accepts, the screen compares a type's bytes with
 * them instead of building the type's text to ask.
 */
export type EventTypeScreen = EventTypeWants;

/** What a body needs: the usual path (`JSON.parse` and all), or nothing but counting one event. */
export type Screened =
  | { readonly kind: 'parse' }
  /** A valid JSON body holding one bare audit event whose type no rule wants: its id and type. */
  | { readonly kind: 'unwanted'; readonly id: string; readonly type: string };

const PARSE: Screened = Object.freeze({ kind: 'parse' });

/**
 * Top-level keys that make a body something other than a bare event (an SNS notification, an
 * EventBridge event, our envelope, a list page): such bodies take the usual path.
 */
const CONTAINER_KEYS: ReadonlySet<string> = new Set(['Type', 'detail', 'envelope', 'object']);

/** What a member's key is, as far as the screen cares. */
const Key = { Id: 0, Type: 1, Container: 2, Other: 3 } as const;
type Key = (typeof Key)[keyof typeof Key];

/** Reused by every call: whether the string just skipped had an escape. */
const scan: StringScan = { escaped: false };

/** The key token body[start, end) (quotes included; screenAnyBody's rare bodies only), classified. */
function classify(body: string, start: number, end: number, escaped: boolean): Key {
  // Without an escape the key is the text between the quotes.
  const key = escaped ? (JSON.parse(body.slice(start, end)) as string) : body.slice(start + 1, end - 1);
  if (key === 'id') return Key.Id;
  if (key === 'type') return Key.Type;
  return CONTAINER_KEYS.has(key) ? Key.Container : Key.Other;
}

/**
 * Decides, reading as little as it can, whether a message body needs parsing. Most audit events
 * only need their type to be ruled out: for a body that is one bare event, the members are read in
 * order, and as soon as its `type` is one `wanted` accepts, the body goes to the usual path. Only
 * a body that is valid JSON in full (checked here, exactly as `JSON.parse` would), is one object
 * with string `id` and `type` (the last of each, as `JSON.parse` keeps), both not blank, no
 * envelope key, and a type no rule wants, is `unwanted`: the usual path would parse it only for
 * the catalog to skip it. Anything else, malformed bodies included, is `parse`, so their reasons
 * come from the usual path, unchanged.
 *
 * @example
 * ```ts
 * screenBody('{"id":"a","type":"project.updated"}', (type) => type === 'login.failed');
 * // { kind: 'unwanted', id: 'a', type: 'project.updated' }
 * ```
 */
export function screenBody(body: string, wanted: EventTypeScreen): Screened {
  const screened = screenBodyBytes(body, wanted);
  return screened === NOT_PLAIN ? screenAnyBody(body, wanted) : screened;
}

/** What screenBodyBytes answers for a body it does not read: one with an escape, or too long. */
const NOT_PLAIN = Symbol('not plain');

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF of a string's content: by default a decoder drops it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The byte screen, made on first use; null where WebAssembly cannot run (every body is then read as text). */
let byteScreen: ByteScreen | null | undefined;

/** The UTF-8 of the last `wantedTypes` list seen (a catalog's list is made once, so this is once per catalog). */
let listedTypes: readonly string[] | undefined;
let listedTypeBytes: readonly Uint8Array[] = [];

/** Whether bytes [start, end) of `b` are one of `types`' UTF-8. */
function isListedType(b: Uint8Array, start: number, end: number, types: readonly string[]): boolean {
  if (types !== listedTypes) {
    listedTypeBytes = types.map((type) => encoder.encode(type));
    listedTypes = types;
  }
  const length = end - start;
  for (const type of listedTypeBytes) {
    if (type.length !== length) continue;
    let k = 0;
    while (k < length && type[k] === b[start + k]) k++;
    if (k === length) return true;
  }
  return false;
}

/** Whether bytes [0, end) of `b` are all ASCII: then they are as many characters of the text. */
function asciiBefore(b: Uint8Array, end: number): boolean {
  for (let k = 0; k < end; k++) if ((b[k] ?? 0) >= 0x80) return false;
  return true;
}

/**
 * The text of a string's content, bytes [start, end) of the body's UTF-8: sliced from the body
 * when byte and character offsets agree up to its end (nothing before it is past ASCII), else
 * decoded, or undefined when decoding cannot give back the text (encodeInto wrote a lone surrogate
 * as U+FFFD).
 */
function textOf(body: string, b: Uint8Array, start: number, end: number, ascii: boolean): string | undefined {
  if (ascii || asciiBefore(b, end)) return body.slice(start, end);
  const text = decoder.decode(b.subarray(start, end));
  return text.includes('\ufffd') ? undefined : text;
}

/**
 * The screen of a body without escapes (nearly every body), as its UTF-8: `encodeInto` copies it
 * into the byte screen's memory, and its WebAssembly function (`byte-screen-program.ts`) reads every
 * token, each string byte by byte, checked as JSON.parse checks it (a control character in a
 * string, or any byte but JSON whitespace between tokens, makes the body invalid; bytes past ASCII
 * are valid only in strings, as characters past ASCII are). It stops at each top-level string
 * `type` for this function to decide on, and leaves where the last `id` and `type` are. Their
 * text is sliced from the body where byte and character offsets agree, else decoded. A body with a
 * backslash in a string, or longer than the screen's memory, is `NOT_PLAIN`: screenAnyBody reads
 * it. Past 30 open containers the answer is `parse`, which is always safe.
 */
function screenBodyBytes(body: string, wanted: EventTypeScreen): Screened | typeof NOT_PLAIN {
  const n = body.length;
  // Longer bodies are rare (SQS bodies are at most 256 KiB): screenAnyBody reads them.
  if (n >= BYTE_SCREEN_CAPACITY) return NOT_PLAIN;
  // Only an object can be an event: an array (a batch of events) or anything else takes the usual
  // path without being copied, and without making the byte screen on a cold start that needs none.
  if (body.charCodeAt(skipJsonWhitespace(body, 0)) !== 0x7b /* { */) return PARSE;
  byteScreen ??= createByteScreen() ?? null;
  if (byteScreen === null) return NOT_PLAIN;
  const { bytes: b, slots, run } = byteScreen;
  const { read, written } = encoder.encodeInto(body, b);
  if (read !== n || written >= BYTE_SCREEN_CAPACITY) return NOT_PLAIN;
  // Each ASCII character is one byte: in an ASCII body byte and character offsets agree.
  const ascii = written === n;
  // The 0 after the body ends every loop of the screen there.
  b[written] = 0;
  const listed = wanted.wantedTypes;
  let status = run(0, written);
  while (status === ByteScreenStatus.Type) {
    const start = slots[2] ?? 0;
    const end = slots[3] ?? 0;
    // The common case: a type some rule wants, known from the first members (on its bytes when
    // the screen lists its types: a type that is not valid UTF-16 compares as U+FFFD, and a false
    // "wanted" only means the usual path).
    if (listed !== undefined) {
      if (isListedType(b, start, end, listed)) return PARSE;
    } else {
      const type = textOf(body, b, start, end, ascii);
      if (type === undefined) return NOT_PLAIN;
      if (wanted(type)) return PARSE;
    }
    status = run(end, written);
  }
  if (status !== ByteScreenStatus.End) return status === ByteScreenStatus.NotPlain ? NOT_PLAIN : PARSE;
  const [idStart = -1, idEnd = -1, typeStart = -1, typeEnd = -1] = slots;
  if (idStart < 0 || typeStart < 0) return PARSE;
  const id = textOf(body, b, idStart, idEnd, ascii);
  const type = textOf(body, b, typeStart, typeEnd, ascii);
  if (id === undefined || type === undefined) return NOT_PLAIN;
  if (id.trim() === '' || type.trim() === '') return PARSE;
  return { kind: 'unwanted', id, type };
}

/**
 * The screen of any body, escapes, control characters and characters past ASCII included: members
 * are read one by one, strings character by character (for the few bodies screenBodyBytes cannot
 * read).
 */
function screenAnyBody(body: string, wanted: EventTypeScreen): Screened {
  let i = skipJsonWhitespace(body, 0);
  if (body.charCodeAt(i) !== 0x7b /* { */) return PARSE;
  i = skipJsonWhitespace(body, i + 1);
  if (body.charCodeAt(i) !== 0x22 /* " */) return PARSE;
  let id: string | undefined;
  let type: string | undefined;
  for (;;) {
    const keyStart = i;
    const keyEnd = skipJsonString(body, keyStart, scan);
    if (keyEnd < 0) return PARSE;
    const key = classify(body, keyStart, keyEnd, scan.escaped);
    if (key === Key.Container) return PARSE;
    i = skipJsonWhitespace(body, keyEnd);
    if (body.charCodeAt(i) !== 0x3a /* : */) return PARSE;
    const valueStart = skipJsonWhitespace(body, i + 1);
    let valueEnd: number;
    if (key === Key.Other) {
      valueEnd = skipJsonValue(body, valueStart);
      if (valueEnd < 0) return PARSE;
    } else if (body.charCodeAt(valueStart) !== 0x22) {
      // Not a string: unusable, unless a later member of the same name is (JSON.parse keeps the last).
      valueEnd = skipJsonValue(body, valueStart);
      if (valueEnd < 0) return PARSE;
      if (key === Key.Id) id = undefined;
      else type = undefined;
    } else {
      valueEnd = skipJsonString(body, valueStart, scan);
      if (valueEnd < 0) return PARSE;
      const value = scan.escaped
        ? (JSON.parse(body.slice(valueStart, valueEnd)) as string)
        : body.slice(valueStart + 1, valueEnd - 1);
      if (key === Key.Id) id = value;
      else {
        if (wanted(value)) return PARSE;
        type = value;
      }
    }
    i = skipJsonWhitespace(body, valueEnd);
    const c = body.charCodeAt(i);
    if (c === 0x2c /* , */) {
      i = skipJsonWhitespace(body, i + 1);
      continue;
    }
    if (c !== 0x7d /* } */) return PARSE;
    i = skipJsonWhitespace(body, i + 1);
    break;
  }
  if (i !== body.length || id === undefined || type === undefined) return PARSE;
  if (id.trim() === '' || type.trim() === '') return PARSE;
  return { kind: 'unwanted', id, type };
}
