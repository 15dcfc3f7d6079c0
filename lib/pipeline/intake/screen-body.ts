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
      return body.startsWith('id', start + 1) ? Key.Id : Key.Other;
    case 4:
      if (body.startsWith('type', start + 1)) return Key.Type;
      return body.startsWith('Type', start + 1) ? Key.Container : Key.Other;
    case 6:
      return body.startsWith('detail', start + 1) || body.startsWith('object', start + 1) ? Key.Container : Key.Other;
    case 8:
      return body.startsWith('envelope', start + 1) ? Key.Container : Key.Other;
    default:
      return Key.Other;
  }
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
  let i = skipJsonWhitespace(body, 0);
  if (body.charCodeAt(i) !== 0x7b /* { */) return PARSE;
  i = skipJsonWhitespace(body, i + 1);
  if (body.charCodeAt(i) !== 0x22 /* " */) return PARSE;
  let id: string | undefined;
  let type: string | undefined;
  // Members are read one by one until the type is known; after that, a body without control
  // characters and backslashes is read by plainRest.
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
    } else {
      // id and type: strings, or the usual path reports the problem.
      valueEnd = skipJsonString(body, valueStart, scan);
      if (valueEnd < 0) return PARSE;
      const value = scan.escaped ? (JSON.parse(body.slice(valueStart, valueEnd)) as string) : body.slice(valueStart + 1, valueEnd - 1);
      if (key === Key.Id) id = value;
      else {
        // The common case: a type some rule wants, known from the first members.
        if (wanted(value)) return PARSE;
        type = value;
        // The rest of a body without control characters and backslashes is checked in one loop.
        if (isPlainJsonText(body)) return plainRest(body, valueEnd, id, type, wanted);
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

/** Where plainRest is. */
const VALUE = 0;
const AFTER_VALUE = 1;
const KEY = 2;
const KEY_OR_CLOSE = 3;

/** Open containers plainRest follows; deeper bodies take the usual path. */
const MAX_PLAIN_DEPTH = 30;

/** A plain number at `i` (see skipJsonValue's grammar): its end, or -1. */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The rest of a plain body (no control character, no backslash: every string ends at the next
 * quote) after a top-level member's value ending at `start`, checked as JSON.parse checks it, in
 * one loop, reading only the top-level keys (for id, type and envelope keys). Anything unusual
 * (nesting past 30 levels) takes the usual path: `parse` is always a safe answer.
 */
function plainRest(body: string, start: number, firstId: string | undefined, firstType: string, wanted: EventTypeScreen): Screened {
  let id = firstId;
  let type = firstType;
  let i = start;
  // One bit per open container, innermost lowest: 1 for an object, 0 for an array.
  let open = 1;
  let depth = 1;
  let state = AFTER_VALUE;
  for (;;) {
    let c = body.charCodeAt(i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = body.charCodeAt(++i);
    if (state === VALUE) {
      if (c === 0x22) {
        const close = body.indexOf('"', i + 1);
        if (close < 0) return PARSE;
        i = close + 1;
      } else if (c === 0x7b || c === 0x5b) {
        if (depth === MAX_PLAIN_DEPTH) return PARSE;
        open = open * 2 + (c === 0x7b ? 1 : 0);
        depth++;
        i++;
        state = c === 0x7b ? KEY_OR_CLOSE : VALUE;
        if (c === 0x5b) {
          let d = body.charCodeAt(i);
          while (d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) d = body.charCodeAt(++i);
          if (d === 0x5d) {
            i++;
            open = Math.floor(open / 2);
            depth--;
            state = AFTER_VALUE;
          }
        }
        continue;
      } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
        const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null';
        if (!body.startsWith(word, i)) return PARSE;
        i += word.length;
      } else {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(body)) return PARSE;
        i = NUMBER.lastIndex;
      }
      state = AFTER_VALUE;
      continue;
    }
    const inObject = open % 2 === 1;
    if (state === AFTER_VALUE) {
      if (c === 0x2c) {
        i++;
        state = inObject ? KEY : VALUE;
        continue;
      }
      if (c !== (inObject ? 0x7d : 0x5d)) return PARSE;
      i++;
      open = Math.floor(open / 2);
      depth--;
      if (depth > 0) continue;
      while (i < body.length) {
        const t = body.charCodeAt(i);
        if (t !== 0x20 && t !== 0x0a && t !== 0x0d && t !== 0x09) return PARSE;
        i++;
      }
      if (id === undefined || id.trim() === '' || type.trim() === '') return PARSE;
      return { kind: 'unwanted', id, type };
    }
    // A key, or (just after "{") the end of the object.
    if (c === 0x7d && state === KEY_OR_CLOSE) {
      i++;
      open = Math.floor(open / 2);
      depth--;
      state = AFTER_VALUE;
      continue;
    }
    if (c !== 0x22) return PARSE;
    const keyEnd = body.indexOf('"', i + 1) + 1;
    if (keyEnd === 0) return PARSE;
    const key = depth === 1 ? classify(body, i, keyEnd, false) : Key.Other;
    if (key === Key.Container) return PARSE;
    i = keyEnd;
    c = body.charCodeAt(i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = body.charCodeAt(++i);
    if (c !== 0x3a) return PARSE;
    i++;
    state = VALUE;
    if (key === Key.Id || key === Key.Type) {
      c = body.charCodeAt(i);
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = body.charCodeAt(++i);
      // id and type: strings, or the usual path reports the problem.
      if (c !== 0x22) return PARSE;
      const close = body.indexOf('"', i + 1);
      if (close < 0) return PARSE;
      const value = body.slice(i + 1, close);
      if (key === Key.Id) id = value;
      else {
        if (wanted(value)) return PARSE;
        type = value;
      }
      i = close + 1;
      state = AFTER_VALUE;
    }
  }
}
