import { describe, expect, it } from 'vitest';
import { copyJsonObject, mappingReviver } from '../../../lib/shared/json-copy.ts';

const same = (text: string) => text;

describe('copyJsonObject', () => {
  it('copies plain data as the JSON round trip does, sharing nothing', () => {
    const nested = { b: [1, 'two', { c: true }] };
    const value = { a: 'x', n: 1.5, z: null, nested };
    const copy = copyJsonObject(value, 1000, same);
    expect(copy).toStrictEqual(JSON.parse(JSON.stringify(value)));
    expect(copy?.nested).not.toBe(nested);
    expect((copy?.nested as { b: unknown }).b).not.toBe(nested.b);
  });

  it('writes what JSON writes: left-out members, null in arrays, -0 as 0, NaN and infinities as null', () => {
    const copy = copyJsonObject(
      { u: undefined, f: () => 1, s: Symbol('s'), list: [undefined, () => 1, NaN, -0, Infinity], minus: -0 },
      1000,
      same,
    );
    expect(copy).toStrictEqual({ list: [null, null, null, 0, null], minus: 0 });
    expect(Object.is(copy?.minus, 0)).toBe(true);
  });

  it('keeps the order of the keys, integer-like keys first, as JSON.stringify does', () => {
    const copy = copyJsonObject({ b: 1, 2: 'two', a: 2, 1: 'one' }, 1000, same);
    expect(JSON.stringify(copy)).toBe(JSON.stringify({ b: 1, 2: 'two', a: 2, 1: 'one' }));
  });

  it('maps every string, object keys as well as values', () => {
    expect(
      copyJsonObject({ 'sk-key': 'v', list: ['a', { b: 'c' }] }, 1000, (text) => text.toUpperCase()),
    ).toStrictEqual({ 'SK-KEY': 'V', LIST: ['A', { B: 'C' }] });
  });

  it('keeps the later member when two keys map to one, as JSON.parse does with a repeated key', () => {
    expect(copyJsonObject({ a: 1, A: 2 }, 1000, (text) => text.toUpperCase())).toStrictEqual({ A: 2 });
  });

  it('leaves to the JSON round trip a key mapped to __proto__', () => {
    expect(copyJsonObject({ proto: 1 }, 1000, (text) => `__${text}__`)).toBeUndefined();
  });

  it('leaves to the JSON round trip what only it judges exactly', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { deep };
    const cases: object[] = [
      { when: new Date(0) },
      { toJSON: () => 'x' },
      { big: 1n },
      cycle,
      deep,
      JSON.parse('{"__proto__": {"x": 1}}') as object,
      { list: new (class List extends Array {})() },
      new (class Thing {
        a = 1;
      })(),
      [1, 2],
      { long: 'x'.repeat(200) },
    ];
    for (const value of cases) expect(copyJsonObject(value, 1000, same)).toBeUndefined();
  });

  it('takes an object whose JSON is surely within the limit', () => {
    expect(copyJsonObject({ a: 'x'.repeat(10) }, 100, same)).toStrictEqual({ a: 'xxxxxxxxxx' });
  });
});

describe('mappingReviver', () => {
  it('makes from JSON text the copy copyJsonObject makes: strings and member names mapped', () => {
    const upper = (text: string) => text.toUpperCase();
    const value = { a: 'x', list: ['y', { b: 'z', B: 'later' }], n: 1 };
    expect(JSON.parse(JSON.stringify(value), mappingReviver(upper))).toStrictEqual(copyJsonObject(value, 1000, upper));
  });

  it('makes a __proto__ name an own property, as JSON.parse does', () => {
    const copy = JSON.parse(
      '{"__PROTO__": {"x": 1}}',
      mappingReviver((text) => text.toLowerCase()),
    ) as object;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__']);
  });
});
