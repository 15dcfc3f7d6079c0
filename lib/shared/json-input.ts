import { printable } from './printable.ts';
import { jsonSyntaxErrorOffset, positionOf } from './json-syntax.ts';

/** A JSON value read from an input, with the line it came from (absent for a whole document). */
export interface ParsedValue {
  readonly line: number | undefined;
  readonly value: unknown;
}

/** A part of an input that is not JSON, with its line and the parser's reason. */
export interface ParseFailure {
  readonly line: number | undefined;
  readonly reason: string;
}

/** Everything read from one input. */
export interface ParsedInput {
  readonly values: readonly ParsedValue[];
  readonly failures: readonly ParseFailure[];
}

/**
 * Why `text` (starting at line `firstLine`) is not JSON: the parser's message and the line and
 * column where it stops being JSON.
 *
 * @example
 * ```ts
 * try { JSON.parse(line); } catch (error) { report(parseFailure(line, error, 7)); } // { line: 7, reason: '... (column 3)' }
 * ```
 */
export function parseFailure(text: string, error: unknown, firstLine: number | undefined): ParseFailure {
  const message = error instanceof Error ? printable(error.message) : 'unparseable';
  const offset = jsonSyntaxErrorOffset(text);
  if (offset === undefined) return { line: firstLine, reason: message };
  const { line, column } = positionOf(text, offset);
  return { line: (firstLine ?? 1) + line - 1, reason: `${message} (column ${column})` };
}

/** Receives what {@link visitJsonInput} reads, in input order. */
export interface JsonInputVisitor {
  /** A value: the whole input (`line` undefined) or one line of JSON Lines. */
  value(line: number | undefined, value: unknown): void;
  /**
   * A line that is not JSON. `describe` gives its failure; it scans the line again for the column,
   * so a caller that keeps only some failures calls it only for those.
   */
  failure(line: number, describe: () => ParseFailure): void;
}

/**
 * Reads an input as {@link parseJsonInput} does, handing each value and failure to `visitor` as it
 * is read, so that memory holds the text and one line, not everything read. Returns the one
 * failure of a broken document (no line is JSON on its own, and more than one is not): the
 * failures visited are then to be replaced by it.
 *
 * @example
 * ```ts
 * let count = 0;
 * const broken = visitJsonInput(text, { value: () => count++, failure: () => count++ });
 * ```
 */
export function visitJsonInput(input: string, visitor: JsonInputVisitor): ParseFailure | undefined {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') return undefined;
  let whole: { value: unknown } | undefined;
  let wholeError: unknown;
  try {
    whole = { value: JSON.parse(text) as unknown };
  } catch (error) {
    wholeError = error;
  }
  if (whole !== undefined) {
    visitor.value(undefined, whole.value);
    return undefined;
  }
  let values = 0;
  let failures = 0;
  // Line by line with indexOf, not split: an array of every line would be as large as the text.
  for (let start = 0, index = 1; start <= text.length; index++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const raw = text.slice(start, end);
    start = end + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch (error) {
      failures++;
      visitor.failure(index, () => parseFailure(line, error, index));
      continue;
    }
    values++;
    visitor.value(index, value);
  }
  return values === 0 && failures > 1 ? parseFailure(text, wholeError, undefined) : undefined;
}

/**
 * Reads an input that is either one JSON document (possibly spread over many lines) or JSON Lines.
 * Lines that do not parse are reported with their number and the reason, and the others are kept.
 * When no line parses on its own, the input is taken as one broken document and reported once.
 *
 * @example
 * ```ts
 * const { values, failures } = parseJsonInput('{"a":1}\nnot json\n');
 * // values: [{ line: 1, value: { a: 1 } }], failures: [{ line: 2, reason: 'Unexpected token ...' }]
 * ```
 */
export function parseJsonInput(input: string): ParsedInput {
  const values: ParsedValue[] = [];
  const failures: ParseFailure[] = [];
  const broken = visitJsonInput(input, {
    value: (line, value) => values.push({ line, value }),
    failure: (_line, describe) => failures.push(describe()),
  });
  return broken === undefined ? { values, failures } : { values, failures: [broken] };
}
