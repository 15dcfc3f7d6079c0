const ARRAY = 1;
const OBJECT = 2;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/** Line and column (both from 1) of an offset in a text. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Offset of the first JSON syntax error in `text`, or `undefined` when it is valid JSON. Used only
 * after `JSON.parse` has failed, to say where: the messages of Node 20's parser carry no position.
 * Iterative, so deep nesting cannot overflow the stack.
 *
 * @example
 * ```ts
 * jsonSyntaxErrorOffset('{"a": ]}'); // 6
 * ```
 */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  const stack: number[] = [];
  const skipSpace = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      i++;
    }
  };
  const string = (): boolean => {
    if (text.charCodeAt(i) !== 34) return false;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c < 32) return false;
      if (c === 92) {
        const escape = text[i + 1];
        if (escape === 'u') {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return false;
          i += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const memberKey = (): boolean => {
    if (!string()) return false;
    skipSpace();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  let expectValue = true;
  for (;;) {
    skipSpace();
    if (expectValue) {
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        skipSpace();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          expectValue = false;
        } else {
          stack.push(c === '{' ? OBJECT : ARRAY);
          if (c === '{' && !memberKey()) return i;
        }
        continue;
      }
      if (c === '"') {
        if (!string()) return i;
      } else if (text.startsWith('true', i)) i += 4;
      else if (text.startsWith('false', i)) i += 5;
      else if (text.startsWith('null', i)) i += 4;
      else {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) return i;
        i = NUMBER.lastIndex;
      }
      expectValue = false;
      continue;
    }
    const top = stack.at(-1);
    if (top === undefined) return i === n ? undefined : i;
    const c = text[i];
    if (c === ',') {
      i++;
      if (top === OBJECT) {
        skipSpace();
        if (!memberKey()) return i;
      }
      expectValue = true;
    } else if (c === (top === OBJECT ? '}' : ']')) {
      stack.pop();
      i++;
    } else return i;
  }
}

/**
 * Line and column of `offset` in `text`.
 *
 * @example
 * ```ts
 * positionOf('a\nbc', 3); // { line: 2, column: 2 }
 * ```
 */
export function positionOf(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
