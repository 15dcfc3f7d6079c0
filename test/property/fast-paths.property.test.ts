// Property-based tests of the per-event fast paths: each gives exactly what the slow, obvious way
// gives (the JSON round trip, JSON.parse), on any input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyJsonObject } from '../../lib/util/json-copy.ts';
import { maskSecrets } from '../../lib/util/mask-secrets.ts';

// At least 20,000 cases per property in npm test (they are fast); npm run test:reliability runs
// 100,000 (PROPERTY_RUNS).
const RUNS = Math.max(20_000, Number(process.env.PROPERTY_RUNS ?? 0));

/** Values an alert context may hold: JSON, and everything JSON.stringify treats specially. */
const odd = fc.constantFrom<unknown>(undefined, NaN, Infinity, -Infinity, -0, 0, () => 1, Symbol('s'), new Date(0), 1n, 'sk-proj-0123456789abcdefghij', { toJSON: () => 'j' });
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString', '0', '10', 'sk-proj-0123456789abcdefghij'));
const { value: contextValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), odd, fc.string(), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
}));
const context = fc.oneof(fc.dictionary(key, contextValue, { maxKeys: 8 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)), { maxKeys: 12 }));
const reviver = (_key: string, value: unknown) => (typeof value === 'string' ? maskSecrets(value) : value);

/**
 * Whether two values are the same JSON data: same primitives (Object.is, so -0 is not 0), same
 * prototypes, same keys in the same order. (toStrictEqual would compare a `constructor` key as the
 * class.)
 */
function sameData(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length || keysA.some((k, i) => k !== keysB[i])) return false;
  return keysA.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Every object and array inside a value. */
function containers(value: unknown, into: Set<unknown> = new Set()): Set<unknown> {
  if (typeof value === 'object' && value !== null && !into.has(value)) {
    into.add(value);
    for (const member of Object.values(value)) containers(member, into);
  }
  return into;
}

describe('fast path properties', () => {
  it('copyJsonObject gives what the masking JSON round trip gives, or leaves it to it', () => {
    let copied = 0;
    fc.assert(
      fc.property(context, fc.integer({ min: 50, max: 5000 }), (value, limit) => {
        const copy = copyJsonObject(value, limit, maskSecrets);
        if (copy === undefined) return;
        copied++;
        const json = JSON.stringify(value);
        // Taken only when the JSON surely fits the limit.
        expect(json.length).toBeLessThanOrEqual(limit);
        const expected: unknown = JSON.parse(json, reviver);
        expect(sameData(copy, expected)).toBe(true);
        const inside = containers(value);
        for (const part of containers(copy)) expect(inside.has(part)).toBe(false);
      }),
      { numRuns: RUNS },
    );
    // The property is about the fast path: most generated contexts must take it.
    expect(copied).toBeGreaterThan(RUNS / 4);
  });
});
