// A validating JSON scanner over a string, for reading a few members of a text without building
// it: it accepts exactly what JSON.parse accepts (the grammar of ECMA-404 over UTF-16 code units:
// whitespace is space, tab, line feed and carriage return; strings hold no raw control character;
// escapes are \" \\ \/ \b \f \n \r \t and \u with four hex digits; numbers have no leading zeros,
// no leading '+', and digits on both sides of '.'). Iterative, so deep nesting cannot overflow the
// stack. Property-tested against JSON.parse.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * The offset after the JSON whitespace at `start`.
 *
 * @example
 * ```ts
 * skipJsonWhitespace(' \n{}', 0); // 2
 * ```
 */
export function skipJsonWhitespace(text: string, start: number): number {
  let i = start;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** Filled in by {@link skipJsonString} when given: whether the string had an escape. */
export interface StringScan {
  escaped: boolean;
}

/**
 * The offset after the JSON string starting at `start` (its opening quote), or -1 when there is no
 * valid string there. With `scan`, also says whether the string has an escape (without one, its
 * value is the text between the quotes).
 *
 * @example
 * ```ts
 * skipJsonString('"a\\"b" x', 0); // 6
 * ```
 */
export function skipJsonString(text: string, start: number, scan?: StringScan): number {
  if (text.charCodeAt(start) !== QUOTE) return -1;
  if (scan !== undefined) scan.escaped = false;
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -1;
    if (c === BACKSLASH) {
      if (scan !== undefined) scan.escaped = true;
      const e = text.charCodeAt(i + 1);
      if (e === 0x75 /* u */) {
        if (!(
          isHex(text.charCodeAt(i + 2)) &&
          isHex(text.charCodeAt(i + 3)) &&
          isHex(text.charCodeAt(i + 4)) &&
          isHex(text.charCodeAt(i + 5))
        ))
          return -1;
        i += 6;
      } else if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2;
      } else return -1;
    } else i++;
  }
  return -1;
}

function skipDigits(text: string, start: number): number {
  let i = start;
  for (;;) {
    const c = text.charCodeAt(i);
    // Past the end charCodeAt gives NaN, which is no digit either.
    if (!(c >= ZERO && c <= NINE)) return i;
    i++;
  }
}

function skipNumber(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === MINUS) i++;
  const first = text.charCodeAt(i);
  if (first === ZERO) i++;
  else if (first > ZERO && first <= NINE) i = skipDigits(text, i + 1);
  else return -1;
  if (text.charCodeAt(i) === DOT) {
    const end = skipDigits(text, i + 1);
    if (end === i + 1) return -1;
    i = end;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === MINUS) i++;
    const end = skipDigits(text, i);
    if (end === i) return -1;
    i = end;
  }
  return i;
}

function skipWord(text: string, start: number, word: string): number {
  return text.startsWith(word, start) ? start + word.length : -1;
}

/** A scalar value at `i`: its end, or -1. */
function skipScalar(text: string, i: number, c: number): number {
  if (c === QUOTE) return skipJsonString(text, i);
  if (c === 0x74) return skipWord(text, i, 'true');
  if (c === 0x66) return skipWord(text, i, 'false');
  if (c === 0x6e) return skipWord(text, i, 'null');
  return skipNumber(text, i);
}

/**
 * The offset after the JSON value starting at `start` (no whitespace before it), or -1 when there
 * is no valid value there. Nested containers are checked in full.
 *
 * @example
 * ```ts
 * skipJsonValue('{"a":[1,2]} tail', 0); // 11
 * skipJsonValue('[1,]', 0);             // -1
 * ```
 */
export function skipJsonValue(text: string, start: number): number {
  let c = text.charCodeAt(start);
  if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) return skipScalar(text, start, c);
  // Open containers, innermost last: true for an object, false for an array.
  const stack: boolean[] = [];
  let i = start;
  for (;;) {
    // Here text[i] is a value's first character; containers are opened, scalars skipped.
    c = text.charCodeAt(i);
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const object = c === OPEN_OBJECT;
      i = skipJsonWhitespace(text, i + 1);
      if (text.charCodeAt(i) === (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        i++;
      } else {
        stack.push(object);
        if (object) {
          i = skipJsonString(text, i);
          if (i < 0) return -1;
          i = skipJsonWhitespace(text, i);
          if (text.charCodeAt(i) !== COLON) return -1;
          i = skipJsonWhitespace(text, i + 1);
        }
        continue;
      }
    } else {
      i = skipScalar(text, i, c);
      if (i < 0) return -1;
    }
    // After a value: close containers, or go on to the next member or element.
    for (;;) {
      if (stack.length === 0) return i;
      const object = stack[stack.length - 1] === true;
      i = skipJsonWhitespace(text, i);
      c = text.charCodeAt(i);
      if (c === COMMA) {
        i = skipJsonWhitespace(text, i + 1);
        if (object) {
          i = skipJsonString(text, i);
          if (i < 0) return -1;
          i = skipJsonWhitespace(text, i);
          if (text.charCodeAt(i) !== COLON) return -1;
          i = skipJsonWhitespace(text, i + 1);
        }
        break;
      }
      if (c !== (object ? CLOSE_OBJECT : CLOSE_ARRAY)) return -1;
      stack.pop();
      i++;
    }
  }
}

/**
 * Whether `text` is exactly one JSON value with optional whitespace around it: what JSON.parse
 * accepts.
 *
 * @example
 * ```ts
 * isJsonText(' [1] '); // true
 * isJsonText('[1] 2'); // false
 * ```
 */
export function isJsonText(text: string): boolean {
  const end = skipJsonValue(text, skipJsonWhitespace(text, 0));
  return end >= 0 && skipJsonWhitespace(text, end) === text.length;
}
