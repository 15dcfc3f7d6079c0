import { isPlainJsonText, skipJsonString, skipJsonValue, skipJsonWhitespace, type StringScan } from '../../util/json-scan.ts';

/** Whether some rule can match events of a type (see `RuleCatalog.wantsEventType`). */
export type EventTypeScreen = (eventType: string) => boolean;

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

/** The key token body[start, end), classified without building a string when it has no escape. */
function classify(body: string, start: number, end: number, escaped: boolean): Key {
  if (escaped) {
    const key = JSON.parse(body.slice(start, end)) as string;
    if (key === 'id') return Key.Id;
    if (key === 'type') return Key.Type;
    return CONTAINER_KEYS.has(key) ? Key.Container : Key.Other;
  }
  // Without an escape the key is the text between the quotes.
  switch (end - start - 2) {
    case 2:
      return textAt(body, start + 1, 'id') ? Key.Id : Key.Other;
    case 4:
      if (textAt(body, start + 1, 'type')) return Key.Type;
      return textAt(body, start + 1, 'Type') ? Key.Container : Key.Other;
    case 6:
      return textAt(body, start + 1, 'detail') || textAt(body, start + 1, 'object') ? Key.Container : Key.Other;
    case 8:
      return textAt(body, start + 1, 'envelope') ? Key.Container : Key.Other;
    default:
      return Key.Other;
  }
}

/** Whether `word` is at `at` in `body` (startsWith, character by character: cheaper for a few characters). */
function textAt(body: string, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (body.charCodeAt(at + k) !== word.charCodeAt(k)) return false;
  return true;
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
  const screened = screenPlainBody(body, wanted);
  return screened === NOT_PLAIN ? screenAnyBody(body, wanted) : screened;
}

/** What screenPlainBody answers for a body with an escape or a control character: not its case. */
const NOT_PLAIN = Symbol('not plain');

/** Open containers screenPlainBody follows, the event's own object included; deeper bodies take the usual path. */
const MAX_PLAIN_DEPTH = 30;

function isJsonWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * The offset after the colon that follows a key and the whitespace around it, `j` being just past
 * the key's closing quote, or -1.
 */
function afterColon(body: string, start: number): number {
  let j = start;
  let c = body.charCodeAt(j);
  while (isJsonWhitespace(c)) c = body.charCodeAt(++j);
  if (c !== 0x3a /* : */) return -1;
  c = body.charCodeAt(++j);
  while (isJsonWhitespace(c)) c = body.charCodeAt(++j);
  return j;
}

function isDigit(c: number): boolean {
  // Past the end charCodeAt gives NaN, which is no digit either.
  return c >= 0x30 && c <= 0x39;
}

/** The end of the JSON number at `i` (see json-scan's grammar), or -1. */
function skipNumber(body: string, start: number): number {
  let i = start;
  let c = body.charCodeAt(i);
  if (c === 0x2d /* - */) c = body.charCodeAt(++i);
  if (c === 0x30) c = body.charCodeAt(++i);
  else if (c > 0x30 && c <= 0x39) {
    do c = body.charCodeAt(++i);
    while (isDigit(c));
  } else return -1;
  if (c === 0x2e /* . */) {
    c = body.charCodeAt(++i);
    if (!isDigit(c)) return -1;
    do c = body.charCodeAt(++i);
    while (isDigit(c));
  }
  if (c === 0x65 || c === 0x45 /* e E */) {
    c = body.charCodeAt(++i);
    if (c === 0x2b || c === 0x2d /* + - */) c = body.charCodeAt(++i);
    if (!isDigit(c)) return -1;
    do c = body.charCodeAt(++i);
    while (isDigit(c));
  }
  return i;
}

/** The answer of screenPlainBody where a body stops being what it reads: `parse`, unless the body is not plain. */
function notHere(body: string, plain: boolean): Screened | typeof NOT_PLAIN {
  return plain || isPlainJsonText(body) ? PARSE : NOT_PLAIN;
}

/**
 * The screen of a plain body (no control character, no backslash: every string ends at the next
 * quote, so strings are skipped with indexOf rather than read), in one loop over its tokens,
 * checked as JSON.parse checks it. Whether the body is plain is checked once, when its type turns
 * out to be unwanted (a wanted type is `parse` whatever the rest is, and most bodies stop there);
 * until then the reading assumes it, and a body that is not plain, whatever it was read as, is
 * `NOT_PLAIN`: screenAnyBody reads it. Past 30 open containers the answer is `parse`, which is
 * always safe.
 */
function screenPlainBody(body: string, wanted: EventTypeScreen): Screened | typeof NOT_PLAIN {
  // Whether isPlainJsonText(body) has been checked (and held).
  let plain = false;
  let id: string | undefined;
  let type: string | undefined;
  let i = 0;
  let c = body.charCodeAt(i);
  while (isJsonWhitespace(c)) c = body.charCodeAt(++i);
  if (c !== 0x7b /* { */) return notHere(body, plain);
  // One bit per open container, innermost lowest: 1 for an object, 0 for an array.
  let open = 1;
  let depth = 1;
  let first = true;
  afterValue: for (;;) {
    c = body.charCodeAt(++i);
    while (isJsonWhitespace(c)) c = body.charCodeAt(++i);
    if (first) {
      // Just after the event's "{": its first key (an empty object is no event).
      first = false;
    } else if (c === 0x2c /* , */) {
      c = body.charCodeAt(++i);
      while (isJsonWhitespace(c)) c = body.charCodeAt(++i);
    } else {
      if (c !== ((open & 1) === 1 ? 0x7d /* } */ : 0x5d) /* ] */) return notHere(body, plain);
      open >>>= 1;
      if (--depth === 0) break;
      continue;
    }
    // Here c, at i, starts a member (in an object) or an element (in an array).
    if ((open & 1) === 1) {
      if (c !== 0x22 /* " */) return notHere(body, plain);
      const keyEnd = body.indexOf('"', i + 1) + 1;
      if (keyEnd === 0) return notHere(body, plain);
      const key = depth === 1 ? classify(body, i, keyEnd, false) : Key.Other;
      if (key === Key.Container) return notHere(body, plain);
      i = afterColon(body, keyEnd);
      if (i < 0) return notHere(body, plain);
      c = body.charCodeAt(i);
      if (key !== Key.Other) {
        if (c === 0x22) {
          const close = body.indexOf('"', i + 1);
          if (close < 0) return notHere(body, plain);
          const value = body.slice(i + 1, close);
          i = close;
          if (key === Key.Id) id = value;
          else {
            // The common case: a type some rule wants, known from the first members.
            if (wanted(value)) return PARSE;
            if (!plain) {
              if (!isPlainJsonText(body)) return NOT_PLAIN;
              plain = true;
            }
            type = value;
          }
          continue;
        }
        // Not a string: unusable, unless a later member of the same name is (JSON.parse keeps the last).
        if (key === Key.Id) id = undefined;
        else type = undefined;
      }
    }
    // A value at i, its first character c: containers are opened until a scalar or an empty one.
    for (;;) {
      if (c === 0x22) {
        i = body.indexOf('"', i + 1);
        if (i < 0) return notHere(body, plain);
        continue afterValue;
      }
      if (c === 0x7b || c === 0x5b /* [ */) {
        const object = c === 0x7b;
        c = body.charCodeAt(++i);
        while (isJsonWhitespace(c)) c = body.charCodeAt(++i);
        if (c === (object ? 0x7d : 0x5d)) continue afterValue;
        if (depth === MAX_PLAIN_DEPTH) return notHere(body, plain);
        depth++;
        open = (open << 1) | (object ? 1 : 0);
        if (object) {
          if (c !== 0x22) return notHere(body, plain);
          const keyEnd = body.indexOf('"', i + 1) + 1;
          if (keyEnd === 0) return notHere(body, plain);
          i = afterColon(body, keyEnd);
          if (i < 0) return notHere(body, plain);
          c = body.charCodeAt(i);
        }
        continue;
      }
      if (c === 0x74 /* t */) {
        if (!textAt(body, i, 'true')) return notHere(body, plain);
        i += 3;
      } else if (c === 0x66 /* f */) {
        if (!textAt(body, i, 'false')) return notHere(body, plain);
        i += 4;
      } else if (c === 0x6e /* n */) {
        if (!textAt(body, i, 'null')) return notHere(body, plain);
        i += 3;
      } else {
        i = skipNumber(body, i) - 1;
        if (i < 0) return notHere(body, plain);
      }
      continue afterValue;
    }
  }
  // Past the event's closing brace: only whitespace may follow.
  const n = body.length;
  while (++i < n) if (!isJsonWhitespace(body.charCodeAt(i))) return notHere(body, plain);
  if (!plain) return notHere(body, plain);
  if (id === undefined || type === undefined || id.trim() === '' || type.trim() === '') return PARSE;
  return { kind: 'unwanted', id, type };
}

/**
 * The screen of any body, escapes and control characters included: members are read one by one,
 * strings character by character (for the few bodies screenPlainBody cannot read).
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
