import { describe, expect, it } from 'vitest';
import { randomInt } from '../../../scripts/build/logger-crypto.ts';

describe("the Logger's deferred node:crypto", () => {
  it('gives integers in [min, max), as crypto.randomInt does', () => {
    const seen = new Set<number>();
    for (let k = 0; k < 2000; k++) seen.add(randomInt(0, 4));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect(randomInt(7, 8)).toBe(7);
    expect(() => randomInt(5, 5)).toThrow(RangeError);
  });
});
