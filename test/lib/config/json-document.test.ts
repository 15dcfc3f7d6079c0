// The JSON document reader both configuration parsers are built on: paths, messages, error class.
import { describe, expect, it } from 'vitest';
import { JsonNode } from '../../../lib/config/json-document.ts';

class TestConfigError extends Error {}

const read = (value: unknown) => JsonNode.parse(JSON.stringify(value), 'conf.json', TestConfigError);
const message = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(TestConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a failure');
};

describe('JsonNode', () => {
  it('builds paths of members, map entries and items', () => {
    const root = read({ rules: { 'A.B': { list: ['x', 'y'] } } });
    const item = root.at('rules').entry('A.B').at('list').items()[1];
    expect([item?.path, item?.value]).toEqual(['rules["A.B"].list[1]', 'y']);
    expect(root.at('missing').at('deeper').path).toBe('missing.deeper');
    expect(root.at('missing').present).toBe(false);
  });

  it('fails with the source, the path and the problem, as the configuration error class', () => {
    const root = read({ a: [1, 'x'] });
    expect(message(() => root.at('a').items()[0]?.fail('is odd'))).toBe('conf.json: a[0]: is odd');
    expect(message(() => root.fail('is odd'))).toBe('conf.json: is odd');
  });

  it('refuses text that is not JSON, naming where the parser stopped', () => {
    expect(message(() => JsonNode.parse('{', 'conf.json', TestConfigError))).toMatch(
      /^conf\.json: not valid JSON \(.+\)$/,
    );
  });

  it('says "a JSON object" of the document and "an object" of a member, and names the first unknown key', () => {
    expect(message(() => read([]).object())).toBe('conf.json: expected a JSON object, got array');
    expect(message(() => read({ a: null }).at('a').object())).toBe('conf.json: a: expected an object, got null');
    expect(message(() => read({ a: 1 }).at('a').entries({ expected: 'a map' }))).toBe(
      'conf.json: a: expected a map, got number',
    );
    expect(message(() => read({ ok: 1, bad: 2, worse: 3 }).object({ allowed: ['ok'] }))).toBe(
      'conf.json: unknown key "bad" (allowed: ok)',
    );
    expect(read({ ok: 1 }).object({ allowed: ['ok'] })).toEqual({ ok: 1 });
  });

  it('reads booleans, strings, arrays and choices, or says what was expected and what came', () => {
    const root = read({ on: true, name: ' ', list: 'x', level: 'loud', n: 3 });
    expect(root.at('on').boolean()).toBe(true);
    expect(message(() => root.at('name').boolean('true or false'))).toBe(
      'conf.json: name: expected true or false, got string',
    );
    expect(root.at('name').string()).toBe(' ');
    expect(message(() => root.at('name').string('a non-empty string', (s) => s.trim() !== ''))).toBe(
      'conf.json: name: expected a non-empty string, got string',
    );
    expect(message(() => root.at('list').items('a list of strings'))).toBe(
      'conf.json: list: expected a list of strings, got string',
    );
    const loudness = (v: unknown) => (v === 'quiet' ? 'QUIET' : undefined);
    expect(message(() => root.at('level').choice(loudness, 'one of quiet'))).toBe(
      'conf.json: level: expected one of quiet, got "loud"',
    );
    expect(message(() => root.at('n').choice(loudness, 'one of quiet'))).toBe(
      'conf.json: n: expected one of quiet, got number',
    );
  });

  it('keeps control characters of the document out of its messages', () => {
    expect(message(() => read({ 'k\u001b': 1 }).object({ allowed: [] }))).toBe(
      'conf.json: unknown key "k\\u001b" (allowed: )',
    );
  });
});
