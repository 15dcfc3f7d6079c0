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
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') return { values: [], failures: [] };
  let wholeError: unknown;
  try {
    return { values: [{ line: undefined, value: JSON.parse(text) as unknown }], failures: [] };
  } catch (error) {
    wholeError = error;
  }
  const values: ParsedValue[] = [];
  const failures: ParseFailure[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    try {
      values.push({ line: index + 1, value: JSON.parse(line) as unknown });
    } catch (error) {
      failures.push(parseFailure(line, error, index + 1));
    }
  });
  if (values.length === 0 && failures.length > 1) {
    return { values, failures: [parseFailure(text, wholeError, undefined)] };
  }
  return { values, failures };
}
