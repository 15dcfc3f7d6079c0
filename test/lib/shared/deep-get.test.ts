import { describe, expect, it } from 'vitest';
import { deepGet } from '../../../lib/shared/deep-get.ts';

describe('deepGet (Panther deep_get semantics)', () => {
  const event = JSON.parse(
    '{"a":{"b":{"c":"x"},"zero":0,"empty":"","no":false,"list":[],"nil":null,"arr":[{"d":1}]},"__proto__":{"p":1}}',
  ) as unknown;

  it('returns nested values', () => {
    expect(deepGet(event, ['a', 'b', 'c'])).toBe('x');
  });

  it('returns falsy values as they are', () => {
    expect(deepGet(event, ['a', 'zero'], 'd')).toBe(0);
    expect(deepGet(event, ['a', 'empty'], 'd')).toBe('');
    expect(deepGet(event, ['a', 'no'], 'd')).toBe(false);
    expect(deepGet(event, ['a', 'list'], 'd')).toEqual([]);
  });

  it('gives the default for a missing key, a final null, or a non-object on the way', () => {
    expect(deepGet(event, ['a', 'missing'], 'd')).toBe('d');
    expect(deepGet(event, ['a', 'nil'], 'd')).toBe('d');
    expect(deepGet(event, ['a', 'b', 'c', 'deeper'], 'd')).toBe('d');
    expect(deepGet(event, ['a', 'arr', '0', 'd'], 'd')).toBe('d');
    expect(deepGet(null, ['a'], 'd')).toBe('d');
    expect(deepGet(event, ['a', 'missing'])).toBeUndefined();
  });

  it('reads only own properties, so prototype names are plain data', () => {
    expect(deepGet(event, ['__proto__', 'p'])).toBe(1);
    expect(deepGet({}, ['constructor'], 'd')).toBe('d');
    expect(deepGet({}, ['toString'], 'd')).toBe('d');
    expect(deepGet({ a: {} }, ['a', '__proto__'], 'd')).toBe('d');
  });

  it('returns the whole value for an empty path', () => {
    expect(deepGet({ a: 1 }, [])).toEqual({ a: 1 });
  });
});
