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
  // Strings are checked one by one until the type is known; after that, in a body without control
  // characters and backslashes, they are skipped to their closing quote.
  let plain = false;
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
      valueEnd = skipJsonValue(body, valueStart, plain);
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
        if (type === undefined) plain = isPlainJsonText(body);
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
