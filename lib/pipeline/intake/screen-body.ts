import { skipJsonString, skipJsonValue, skipJsonWhitespace, type StringScan } from '../../util/json-scan.ts';

/**
 * Whether some rule can match events of a type (see `RuleCatalog.eventTypeScreen`). With
 * `wantedTypes`, the list of exactly the types it accepts, the screen compares a type's bytes with
 * them instead of building the type's text to ask.
 */
export type EventTypeScreen = ((eventType: string) => boolean) & { readonly wantedTypes?: readonly string[] };

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

/** Open containers screenBodyBytes follows, the event's own object included; deeper bodies take the usual path. */
const MAX_PLAIN_DEPTH = 30;

/** Bodies whose UTF-8 fits in this many bytes are screened as bytes; longer ones (rare: SQS bodies are at most 256 KiB) by screenAnyBody. */
const BYTE_SCREEN_SIZE = 65_536;

/** The UTF-8 of the body being screened, then a 0 (see screenBodyBytes); one buffer for every call. */
const bytes = new Uint8Array(BYTE_SCREEN_SIZE);
const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF of a string's content: by default a decoder drops it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** What stringEnd answers for a string with an escape in it. */
const ESCAPED = -2;

function isJsonWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * The offset of the closing quote of the string whose opening quote is at `start` in `b`, or -1
 * when a control character (the 0 after the body among them) comes first, or ESCAPED when a
 * backslash does.
 */
function stringEnd(b: Uint8Array, start: number): number {
  let i = start + 1;
  for (;;) {
    const c = b[i] ?? 0;
    if (c === 0x22) return i;
    if (c < 0x20) return -1;
    if (c === 0x5c) return ESCAPED;
    i++;
  }
}

/** The offset after the colon that follows a key (`start` just past its closing quote) and the whitespace around it, or -1. */
function afterColon(b: Uint8Array, start: number): number {
  let j = start;
  let c = b[j] ?? 0;
  while (isJsonWhitespace(c)) c = b[++j] ?? 0;
  if (c !== 0x3a /* : */) return -1;
  c = b[++j] ?? 0;
  while (isJsonWhitespace(c)) c = b[++j] ?? 0;
  return j;
}

/** The end of the JSON number at `start` (see json-scan's grammar), or -1. */
function numberEnd(b: Uint8Array, start: number): number {
  let i = start;
  let c = b[i] ?? 0;
  if (c === 0x2d /* - */) c = b[++i] ?? 0;
  if (c === 0x30) c = b[++i] ?? 0;
  else if (c > 0x30 && c <= 0x39) {
    do c = b[++i] ?? 0;
    while (isDigit(c));
  } else return -1;
  if (c === 0x2e /* . */) {
    c = b[++i] ?? 0;
    if (!isDigit(c)) return -1;
    do c = b[++i] ?? 0;
    while (isDigit(c));
  }
  if (c === 0x65 || c === 0x45 /* e E */) {
    c = b[++i] ?? 0;
    if (c === 0x2b || c === 0x2d /* + - */) c = b[++i] ?? 0;
    if (!isDigit(c)) return -1;
    do c = b[++i] ?? 0;
    while (isDigit(c));
  }
  return i;
}

/** Whether `word` (ASCII) is at `at` in `b`. */
function bytesAt(b: Uint8Array, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (b[at + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** A top-level key, the bytes between its quotes [start, end), classified. */
function classifyBytes(b: Uint8Array, start: number, end: number): Key {
  switch (end - start) {
    case 2:
      return bytesAt(b, start, 'id') ? Key.Id : Key.Other;
    case 4:
      if (bytesAt(b, start, 'type')) return Key.Type;
      return bytesAt(b, start, 'Type') ? Key.Container : Key.Other;
    case 6:
      return bytesAt(b, start, 'detail') || bytesAt(b, start, 'object') ? Key.Container : Key.Other;
    case 8:
      return bytesAt(b, start, 'envelope') ? Key.Container : Key.Other;
    default:
      return Key.Other;
  }
}

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
 * when byte and character offsets agree up to its end (`ascii`: nothing before it is past ASCII),
 * else decoded, or undefined when decoding cannot give back the text (encodeInto wrote a lone
 * surrogate as U+FFFD).
 */
function textOf(body: string, b: Uint8Array, start: number, end: number, ascii: boolean): string | undefined {
  if (ascii) return body.slice(start, end);
  const text = decoder.decode(b.subarray(start, end));
  return text.includes('\ufffd') ? undefined : text;
}

/**
 * The screen of a body without escapes (nearly every body), as its UTF-8: `encodeInto` copies it
 * into one buffer (a few tens of nanoseconds), then one loop over the bytes reads every token,
 * each string byte by byte, checked as JSON.parse checks it (a control character in a string, or
 * any byte but JSON whitespace between tokens, makes the body invalid; bytes past ASCII are valid
 * only in strings, as characters past ASCII are). The id and type are sliced from the text where
 * byte and character offsets agree, else decoded. A body with a backslash in a string, or longer
 * than the buffer, is `NOT_PLAIN`: screenAnyBody reads it. A 0 after the body's bytes stops every
 * loop at its end. Past 30 open containers the answer is `parse`, which is always safe.
 */
function screenBodyBytes(body: string, wanted: EventTypeScreen): Screened | typeof NOT_PLAIN {
  const n = body.length;
  if (n >= BYTE_SCREEN_SIZE) return NOT_PLAIN;
  const { read, written } = encoder.encodeInto(body, bytes);
  if (read !== n || written >= BYTE_SCREEN_SIZE) return NOT_PLAIN;
  // Each ASCII character is one byte: in an ASCII body byte and character offsets agree.
  const ascii = written === n;
  const b = bytes;
  b[written] = 0;
  let id: string | undefined;
  let type: string | undefined;
  let i = 0;
  let c = b[0] ?? 0;
  while (isJsonWhitespace(c)) c = b[++i] ?? 0;
  if (c !== 0x7b /* { */) return PARSE;
  // One bit per open container, innermost lowest: 1 for an object, 0 for an array.
  let open = 1;
  let depth = 1;
  let first = true;
  afterValue: for (;;) {
    // Here i is at the last byte of a value (or at the event's "{").
    c = b[++i] ?? 0;
    while (isJsonWhitespace(c)) c = b[++i] ?? 0;
    if (first) {
      // Just after the event's "{": its first key (an empty object is no event).
      first = false;
    } else if (c === 0x2c /* , */) {
      c = b[++i] ?? 0;
      while (isJsonWhitespace(c)) c = b[++i] ?? 0;
    } else {
      if (c !== ((open & 1) === 1 ? 0x7d /* } */ : 0x5d) /* ] */) return PARSE;
      open >>>= 1;
      if (--depth === 0) break;
      continue;
    }
    // Here c, at i, starts a member (in an object) or an element (in an array).
    if ((open & 1) === 1) {
      if (c !== 0x22 /* " */) return PARSE;
      const keyEnd = stringEnd(b, i);
      if (keyEnd < 0) return keyEnd === ESCAPED ? NOT_PLAIN : PARSE;
      const key = depth === 1 ? classifyBytes(b, i + 1, keyEnd) : Key.Other;
      if (key === Key.Container) return PARSE;
      i = afterColon(b, keyEnd + 1);
      if (i < 0) return PARSE;
      c = b[i] ?? 0;
      if (key !== Key.Other) {
        if (c === 0x22) {
          const close = stringEnd(b, i);
          if (close < 0) return close === ESCAPED ? NOT_PLAIN : PARSE;
          // The common case: a type some rule wants, known from the first members (on its bytes
          // when the screen lists its types: a type that is not valid UTF-16 compares as U+FFFD,
          // and a false "wanted" only means the usual path).
          const listed = key === Key.Type ? wanted.wantedTypes : undefined;
          if (listed !== undefined && isListedType(b, i + 1, close, listed)) return PARSE;
          const value = textOf(body, b, i + 1, close, ascii || asciiBefore(b, close));
          if (value === undefined) return NOT_PLAIN;
          if (key === Key.Id) id = value;
          else {
            if (listed === undefined && wanted(value)) return PARSE;
            type = value;
          }
          i = close;
          continue;
        }
        // Not a string: unusable, unless a later member of the same name is (JSON.parse keeps the last).
        if (key === Key.Id) id = undefined;
        else type = undefined;
      }
    }
    // A value at i, its first byte c: containers are opened until a scalar or an empty one.
    for (;;) {
      if (c === 0x22) {
        i = stringEnd(b, i);
        if (i < 0) return i === ESCAPED ? NOT_PLAIN : PARSE;
        continue afterValue;
      }
      if (c === 0x7b || c === 0x5b /* [ */) {
        const object = c === 0x7b;
        c = b[++i] ?? 0;
        while (isJsonWhitespace(c)) c = b[++i] ?? 0;
        if (c === (object ? 0x7d : 0x5d)) continue afterValue;
        if (depth === MAX_PLAIN_DEPTH) return PARSE;
        depth++;
        open = (open << 1) | (object ? 1 : 0);
        if (object) {
          if (c !== 0x22) return PARSE;
          const keyEnd = stringEnd(b, i);
          if (keyEnd < 0) return keyEnd === ESCAPED ? NOT_PLAIN : PARSE;
          i = afterColon(b, keyEnd + 1);
          if (i < 0) return PARSE;
          c = b[i] ?? 0;
        }
        continue;
      }
      if (c === 0x74 /* t */) {
        if (!bytesAt(b, i, 'true')) return PARSE;
        i += 3;
      } else if (c === 0x66 /* f */) {
        if (!bytesAt(b, i, 'false')) return PARSE;
        i += 4;
      } else if (c === 0x6e /* n */) {
        if (!bytesAt(b, i, 'null')) return PARSE;
        i += 3;
      } else {
        i = numberEnd(b, i) - 1;
        if (i < 0) return PARSE;
      }
      continue afterValue;
    }
  }
  // Past the event's closing brace: only whitespace may follow.
  while (++i < written) if (!isJsonWhitespace(b[i] ?? 0)) return PARSE;
  if (id === undefined || type === undefined || id.trim() === '' || type.trim() === '') return PARSE;
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
      const value = scan.escaped ? (JSON.parse(body.slice(valueStart, valueEnd)) as string) : body.slice(valueStart + 1, valueEnd - 1);
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
