// What the cursor remembers of the overlap, per second: pure functions, no I/O.
import { describe, expect, it } from 'vitest';
import {
  boundSeen,
  digestOf,
  fromSentMap,
  judgeSecond,
  rememberSeconds,
} from '../../../../lib/ingestion/poller/seen-events.ts';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('digestOf', () => {
  it('ignores order, and differs when one id differs', () => {
    expect(digestOf(['a', 'b', 'c'])).toBe(digestOf(['c', 'a', 'b']));
    expect(digestOf(['a', 'b', 'c'])).not.toBe(digestOf(['a', 'b', 'd']));
    expect(digestOf([])).toBe('0000000000000000');
    expect(digestOf(['a'])).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('judgeSecond', () => {
  const exact = rememberSeconds({}, new Map([[10, ['a', 'b']]]))['10'];
  const digestOnly = exact && { n: exact.n, h: exact.h };

  it('delivers everything in a second never seen', () => {
    expect(judgeSecond(undefined, ['a'])).toEqual({ deliver: ['a'], known: 0, redelivered: 0 });
  });

  it('delivers only new ids of a second remembered by its ids', () => {
    expect(judgeSecond(exact, ['b', 'c', 'a'])).toEqual({ deliver: ['c'], known: 2, redelivered: 0 });
  });

  it('delivers nothing when a digest-only second lists the same set, and all of it when the set changed', () => {
    expect(judgeSecond(digestOnly, ['b', 'a'])).toEqual({ deliver: [], known: 2, redelivered: 0 });
    expect(judgeSecond(digestOnly, ['a', 'b', 'late'])).toEqual({
      deliver: ['a', 'b', 'late'],
      known: 0,
      redelivered: 2,
    });
    expect(judgeSecond(digestOnly, ['a', 'x'])).toEqual({ deliver: ['a', 'x'], known: 0, redelivered: 2 });
  });
});

describe('rememberSeconds and boundSeen', () => {
  it('keeps the union of ids of a second, sorted, with count and digest', () => {
    const once = rememberSeconds({}, new Map([[5, ['b', 'a']]]));
    const twice = rememberSeconds(once, new Map([[5, ['c']]]));
    expect(twice['5']).toEqual({ n: 3, h: digestOf(['a', 'b', 'c']), ids: ['a', 'b', 'c'] });
  });

  it('drops seconds before the overlap', () => {
    const seen = rememberSeconds(
      {},
      new Map([
        [1, ['a']],
        [2, ['b']],
        [3, ['c']],
      ]),
    );
    expect(Object.keys(boundSeen(seen, 2))).toEqual(['2', '3']);
  });

  it('forgets the ids of the busiest seconds first until within the budget, keeping count and digest', () => {
    const seen = rememberSeconds(
      {},
      new Map([
        [1, ids('quiet', 2)],
        [2, ids('busy', 500)],
        [3, ids('mid', 50)],
      ]),
    );
    const bounded = boundSeen(seen, 0, 2000);
    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThanOrEqual(2000);
    expect(bounded['2']).toEqual({ n: 500, h: digestOf(ids('busy', 500)) });
    expect(bounded['1']?.ids).toEqual(ids('quiet', 2));
    expect(boundSeen(seen, 0, 10_000_000)).toEqual(seen);
  });

  it('converts a cursor of the old form', () => {
    expect(fromSentMap({ a: 7, b: 7, c: 8 })).toEqual(
      rememberSeconds(
        {},
        new Map([
          [7, ['a', 'b']],
          [8, ['c']],
        ]),
      ),
    );
  });
});
