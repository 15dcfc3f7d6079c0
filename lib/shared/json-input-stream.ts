import { parseJsonInput } from './json-input.ts';
import { skipJsonValue, skipJsonWhitespace } from './json-scan.ts';
import { jsonSyntaxErrorOffset } from './json-syntax.ts';
import { printable } from './printable.ts';

/** What a streamed input yields, in input order. */
export type JsonInputItem =
  /** One line of JSON Lines, not yet parsed (the caller parses it, and reports its line on failure). */
  | { readonly kind: 'line'; readonly line: number; readonly text: string }
  /**
   * A parsed value: a whole document or line (`path` `''`), or one element of a large array read
   * element by element (`path` `[i]`).
   */
  | { readonly kind: 'value'; readonly line: number | undefined; readonly value: unknown; readonly path: string }
  | { readonly kind: 'failure'; readonly line: number | undefined; readonly reason: string };

/**
 * Inputs up to this many characters are read whole, and read exactly as {@link parseJsonInput}
 * reads a text; larger ones are streamed.
 */
export const WHOLE_INPUT_CHARS = 8 * 1024 * 1024;

/** Options of {@link readJsonInput}. */
export interface ReadJsonInputOptions {
  /** See {@link WHOLE_INPUT_CHARS}. */
  readonly wholeInputChars?: number;
  /** Most characters one array element (or the first line) of a streamed input may take (default: {@link WHOLE_INPUT_CHARS}). */
  readonly maxElementChars?: number;
}

/** Buffered text of a streamed input, and where its first character is. */
class Pending {
  text = '';
  /** Line number (from 1) of text[0]. */
  line = 1;
  ended = false;

  readonly #chunks: AsyncIterator<string>;

  constructor(chunks: AsyncIterator<string>) {
    this.#chunks = chunks;
  }

  /** Reads one more chunk; false at the end of the input. */
  async more(): Promise<boolean> {
    const chunk = await this.next();
    if (chunk === undefined) return false;
    this.text += chunk;
    return true;
  }

  /** The next chunk, not added to `text`; undefined at the end of the input. */
  async next(): Promise<string | undefined> {
    if (this.ended) return undefined;
    const next = await this.#chunks.next();
    if (next.done === true) {
      this.ended = true;
      return undefined;
    }
    return next.value;
  }

  /** Drops text[0, end), counting its lines. */
  consume(end: number): void {
    let at = this.text.indexOf('\n');
    while (at >= 0 && at < end) {
      this.line++;
      at = this.text.indexOf('\n', at + 1);
    }
    this.text = this.text.slice(end);
  }

  /** The line of text[offset]. */
  lineAt(offset: number): number {
    let line = this.line;
    let at = this.text.indexOf('\n');
    while (at >= 0 && at < offset) {
      line++;
      at = this.text.indexOf('\n', at + 1);
    }
    return line;
  }
}

function lineOf(raw: string): string {
  return raw.endsWith('\r') ? raw.slice(0, -1) : raw;
}

/**
 * JSON Lines from the start of `pending`: every line, as it comes, the complete lines of each chunk
 * together (one step of an async generator per line would cost more than parsing the line).
 */
async function* jsonLines(pending: Pending): AsyncGenerator<JsonInputItem[]> {
  let text = pending.text;
  let start = 0;
  let lines: JsonInputItem[] = [];
  const add = (raw: string): void => {
    const line = lineOf(raw);
    if (line.trim() !== '') lines.push({ kind: 'line', line: pending.line, text: line });
    pending.line++;
  };
  for (;;) {
    let newline = text.indexOf('\n', start);
    while (newline >= 0) {
      add(text.slice(start, newline));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (lines.length > 0) yield lines;
    lines = [];
    const chunk = await pending.next();
    if (chunk === undefined) break;
    // The line the chunk completes is the only one joined across chunks: the chunk itself is
    // read where it is, not copied onto what was left of the one before.
    const end = chunk.indexOf('\n');
    if (end < 0) {
      text = text.slice(start) + chunk;
      start = 0;
      continue;
    }
    add(text.slice(start) + chunk.slice(0, end));
    text = chunk;
    start = end + 1;
  }
  pending.text = '';
  add(text.slice(start));
  if (lines.length > 0) yield lines;
}

/** Whether `text` opens an array or object that goes on: valid JSON so far, ending too soon. */
function opensDocument(text: string): boolean {
  const c = text.charCodeAt(skipJsonWhitespace(text, 0));
  return (c === 0x5b || c === 0x7b) && jsonSyntaxErrorOffset(text) === text.length;
}

/** The parser's own words for why `text` is not JSON (secrets masked). */
function parserMessage(text: string): string {
  try {
    JSON.parse(text);
    return 'not valid JSON';
  } catch (error) {
    return error instanceof Error ? printable(error.message) : 'not valid JSON';
  }
}

/**
 * A large document that is one array: its elements one by one, each parsed on its own, so memory
 * holds about one element at a time. A document that is an object is read whole.
 */
async function* documentElements(pending: Pending, maxElementChars: number): AsyncGenerator<JsonInputItem[]> {
  const fail = (offset: number, reason: string): JsonInputItem => ({
    kind: 'failure',
    line: pending.lineAt(offset),
    reason,
  });
  /** The offset of the next character that is not whitespace, reading more as needed; -1 at the end. */
  const next = async (): Promise<number> => {
    for (;;) {
      const i = skipJsonWhitespace(pending.text, 0);
      if (i < pending.text.length) return i;
      pending.consume(i);
      if (!(await pending.more())) return -1;
    }
  };
  let i = skipJsonWhitespace(pending.text, 0);
  if (pending.text.charCodeAt(i) !== 0x5b /* [ */) {
    while (await pending.more());
    const offset = pending.line - 1;
    const whole = parseJsonInput(pending.text);
    yield [
      ...whole.failures.map((failure): JsonInputItem => ({
        kind: 'failure',
        line: failure.line === undefined ? undefined : failure.line + offset,
        reason: failure.reason,
      })),
      ...whole.values.map((value): JsonInputItem => ({
        kind: 'value',
        line: value.line === undefined ? undefined : value.line + offset,
        value: value.value,
        path: '',
      })),
    ];
    return;
  }
  pending.consume(i + 1);
  for (let index = 0; ; index++) {
    i = await next();
    if (i < 0) {
      yield [{ kind: 'failure', line: pending.line, reason: 'unexpected end of input: the array is not closed' }];
      return;
    }
    if (index > 0 || pending.text.charCodeAt(i) === 0x5d /* ] */) {
      // After an element (or at the start): a comma, or the end of the array.
      const c = pending.text.charCodeAt(i);
      if (c === 0x5d) {
        pending.consume(i + 1);
        const after = await next();
        if (after >= 0) yield [fail(after, 'unexpected text after the array')];
        return;
      }
      if (c !== 0x2c /* , */) {
        yield [fail(i, `expected "," or "]" after element [${index - 1}]`)];
        return;
      }
      pending.consume(i + 1);
      i = await next();
      if (i < 0) {
        yield [{ kind: 'failure', line: pending.line, reason: 'unexpected end of input: the array is not closed' }];
        return;
      }
    }
    // An element: complete when the scanner finds its end before the end of what is buffered.
    let end = skipJsonValue(pending.text, i);
    while (
      (end < 0 || end === pending.text.length) &&
      pending.text.length - i <= maxElementChars &&
      (await pending.more())
    )
      end = skipJsonValue(pending.text, i);
    if (end < 0) {
      yield [fail(i, `element [${index}]: ${parserMessage(pending.text.slice(i, i + maxElementChars))}`)];
      return;
    }
    yield [
      {
        kind: 'value',
        line: pending.lineAt(i),
        value: JSON.parse(pending.text.slice(i, end)) as unknown,
        path: `[${index}]`,
      },
    ];
    pending.consume(end);
  }
}

/** The first line of `pending` that is not blank, read on until it has ended (or is too long), and where it starts. */
async function firstLine(pending: Pending, maxChars: number): Promise<{ text: string; start: number }> {
  for (let start = 0; ;) {
    const newline = pending.text.indexOf('\n', start);
    if (newline < 0 && pending.text.length - start <= maxChars && (await pending.more())) continue;
    const raw = newline < 0 ? pending.text.slice(start) : pending.text.slice(start, newline);
    if (raw.trim() !== '' || newline < 0) return { text: lineOf(raw), start };
    start = newline + 1;
  }
}

/**
 * Reads a JSON input as it arrives, in input order, holding a bounded part of it in memory, in
 * batches: the lines of JSON Lines of one chunk together, otherwise an item or a few at a time.
 *
 * An input of up to {@link WHOLE_INPUT_CHARS} is read whole and exactly as {@link parseJsonInput}
 * reads a text: one JSON document (possibly over many lines), else JSON Lines, with each line that
 * is not JSON reported (or the whole input once, when no line is JSON). A larger input is streamed:
 * when its first line is a JSON value, or is not the start of one, it is JSON Lines, yielded line
 * by line; when its first line opens an array or object that goes on, it is one document: an array
 * is read element by element, and a break in it is reported where it is and ends the input (the
 * elements before it are kept); an object is read whole.
 *
 * @example
 * ```ts
 * for await (const items of readJsonInputBatches(createReadStream(file, 'utf8'))) for (const item of items) console.log(item.kind);
 * ```
 */
export async function* readJsonInputBatches(
  chunks: AsyncIterable<string>,
  options: ReadJsonInputOptions = {},
): AsyncGenerator<readonly JsonInputItem[]> {
  const wholeInputChars = options.wholeInputChars ?? WHOLE_INPUT_CHARS;
  const maxElementChars = options.maxElementChars ?? WHOLE_INPUT_CHARS;
  const pending = new Pending(chunks[Symbol.asyncIterator]());
  while (pending.text.length <= wholeInputChars && (await pending.more()));
  if (pending.text.charCodeAt(0) === 0xfeff) pending.text = pending.text.slice(1);
  if (pending.ended) {
    const { values, failures } = parseJsonInput(pending.text);
    yield [
      ...failures.map((failure): JsonInputItem => ({ kind: 'failure', line: failure.line, reason: failure.reason })),
      ...values.map(({ line, value }): JsonInputItem => ({ kind: 'value', line, value, path: '' })),
    ];
    return;
  }
  // The first line that is not blank decides.
  const { text: first, start: firstStart } = await firstLine(pending, maxElementChars);
  let firstParses = true;
  try {
    JSON.parse(first);
  } catch {
    firstParses = false;
  }
  if (firstParses || !opensDocument(first)) {
    yield* jsonLines(pending);
    return;
  }
  pending.consume(firstStart);
  yield* documentElements(pending, maxElementChars);
}

/**
 * {@link readJsonInputBatches}, one item at a time.
 *
 * @example
 * ```ts
 * for await (const item of readJsonInput(createReadStream(file, 'utf8'))) console.log(item.kind);
 * ```
 */
export async function* readJsonInput(
  chunks: AsyncIterable<string>,
  options: ReadJsonInputOptions = {},
): AsyncGenerator<JsonInputItem> {
  for await (const items of readJsonInputBatches(chunks, options)) yield* items;
}
