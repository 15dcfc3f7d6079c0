import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonInput } from '../../../lib/shared/json-input.ts';
import {
  readJsonInput,
  readJsonInputBatches,
  type JsonInputItem,
  type ReadJsonInputOptions,
} from '../../../lib/shared/json-input-stream.ts';

async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) {
    await Promise.resolve(); // chunks arrive one by one, as from a stream
    yield text.slice(i, i + size);
  }
}

async function read(text: string, size = 7, options: ReadJsonInputOptions = {}): Promise<JsonInputItem[]> {
  const items: JsonInputItem[] = [];
  for await (const item of readJsonInput(chunked(text, size), options)) items.push(item);
  return items;
}

/** Streams always, with chunks smaller than a line: the paths large inputs take. */
const STREAMED: ReadJsonInputOptions = { wholeInputChars: 0 };

describe('readJsonInput', () => {
  it('reads an input that fits in memory exactly as parseJsonInput reads the text, whatever the chunks', async () => {
    const line = fc.oneof(fc.json(), fc.constantFrom('', ' ', 'not json', '{"a":', '[1,', ']', '\r', '\ufeff{}'));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 6 }), fc.integer({ min: 1, max: 9 }), async (lines, size) => {
        const text = lines.join('\n');
        const { values, failures } = parseJsonInput(text);
        const expected = [
          ...failures.map((f) => ({ kind: 'failure', line: f.line, reason: f.reason })),
          ...values.map((v) => ({ kind: 'value', line: v.line, value: v.value, path: '' })),
        ];
        expect(await read(text, size)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('hands on the complete lines of each chunk of JSON Lines together, and the line a chunk cuts with the next', async () => {
    const batches: string[][] = [];
    for await (const items of readJsonInputBatches(chunked('{"a":1}\n{"b":2}\n{"c":3}\n\n{"d":4}', 18), STREAMED))
      batches.push(items.map((item) => (item.kind === 'line' ? `${item.line}:${item.text}` : item.kind)));
    expect(batches).toEqual([['1:{"a":1}', '2:{"b":2}'], ['3:{"c":3}'], ['5:{"d":4}']]);
  });

  it('streams JSON Lines line by line, with their numbers, across chunks, blank lines, CRLF and a BOM', async () => {
    const text = '\ufeff{"a":1}\r\n\n  \n[2]\r\nnot json\n{"b":\n"x"';
    expect(await read(text, 3, STREAMED)).toEqual([
      { kind: 'line', line: 1, text: '{"a":1}' },
      { kind: 'line', line: 4, text: '[2]' },
      { kind: 'line', line: 5, text: 'not json' },
      { kind: 'line', line: 6, text: '{"b":' },
      { kind: 'line', line: 7, text: '"x"' },
    ]);
  });

  it('streams JSON Lines as the text splits into lines, whatever the chunks: every line that is not blank, CR cut, with its number', async () => {
    // Lines of JSON values (the first one decides JSON Lines), blank lines, CRs, lines that are not JSON.
    const line = fc.oneof(fc.json(), fc.constantFrom('', ' ', '\r', 'not json', '{"a":', ' [1] \r'));
    await fc.assert(
      fc.asyncProperty(
        fc.json(),
        fc.array(line, { maxLength: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        async (first, rest, size, finalNewline) => {
          const lines = [first.replaceAll('\n', ' '), ...rest.map((l) => l.replaceAll('\n', ' '))];
          const text = lines.join('\n') + (finalNewline ? '\n' : '');
          const expected = lines
            .map((l, i) => ({ kind: 'line', line: i + 1, text: l.endsWith('\r') ? l.slice(0, -1) : l }))
            .filter((item) => item.text.trim() !== '');
          expect(await read(text, size, STREAMED)).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('takes a large input whose first line is not JSON, nor the start of a document, as JSON Lines', async () => {
    expect((await read('oops\n{"a":1}\n', 4, STREAMED)).map((item) => item.kind)).toEqual(['line', 'line']);
  });

  it('streams a large array document element by element, with the line each starts on', async () => {
    const text = '\n[\n  {"id": "a",\n   "type": "t"},\n  [1, 2],\n  "x"\n]\n\n';
    expect(await read(text, 5, STREAMED)).toEqual([
      { kind: 'value', line: 3, value: { id: 'a', type: 't' }, path: '[0]' },
      { kind: 'value', line: 5, value: [1, 2], path: '[1]' },
      { kind: 'value', line: 6, value: 'x', path: '[2]' },
    ]);
    expect(await read('[\n]', 1, STREAMED)).toEqual([]);
  });

  it('reports where a large array breaks, and keeps the elements before it', async () => {
    expect(await read('[\n{"a":1},\n{"b": x},\n{"c":3}\n]', 4, STREAMED)).toEqual([
      { kind: 'value', line: 2, value: { a: 1 }, path: '[0]' },
      { kind: 'failure', line: 3, reason: expect.stringMatching(/^element \[1\]: /) as string },
    ]);
    expect(await read('[\n{"a":1}\n{"b":2}\n]', 4, STREAMED)).toEqual([
      { kind: 'value', line: 2, value: { a: 1 }, path: '[0]' },
      { kind: 'failure', line: 3, reason: 'expected "," or "]" after element [0]' },
    ]);
    expect((await read('[\n1,\n2', 4, STREAMED)).at(-1)).toEqual({
      kind: 'failure',
      line: 3,
      reason: 'unexpected end of input: the array is not closed',
    });
    expect((await read('[\n1\n] x', 4, STREAMED)).at(-1)).toEqual({
      kind: 'failure',
      line: 3,
      reason: 'unexpected text after the array',
    });
    expect(await read(`[\n"${'x'.repeat(100)}`, 4, { wholeInputChars: 0, maxElementChars: 20 })).toEqual([
      { kind: 'failure', line: 2, reason: expect.stringMatching(/^element \[0\]: /) as string },
    ]);
  });

  it('reads a large object document whole, with its line numbers', async () => {
    expect(await read('\n\n{\n "object": "list",\n "data": [1]\n}\n', 4, STREAMED)).toEqual([
      { kind: 'value', line: undefined, value: { object: 'list', data: [1] }, path: '' },
    ]);
  });
});
