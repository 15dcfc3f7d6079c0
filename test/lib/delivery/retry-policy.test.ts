import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, deferSeconds, inlineWaitMs } from '../../../lib/delivery/retry-policy.ts';

const max = () => 1;
const min = () => 0;

describe('deferSeconds', () => {
  it('doubles from 30 s with each receive up to 15 minutes (at most), half of it at least', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 40].map((n) => deferSeconds(DEFAULT_RETRY_POLICY, n, undefined, max))).toEqual([
      30, 60, 120, 240, 480, 900, 900, 900,
    ]);
    expect([1, 6].map((n) => deferSeconds(DEFAULT_RETRY_POLICY, n, undefined, min))).toEqual([15, 450]);
  });

  it('never puts a message back for less than Retry-After asks, nor for less than its own backoff', () => {
    expect(deferSeconds(DEFAULT_RETRY_POLICY, 1, 120_000, max)).toBe(120);
    expect(deferSeconds(DEFAULT_RETRY_POLICY, 1, 1_500, max)).toBe(30);
    expect(deferSeconds(DEFAULT_RETRY_POLICY, 20, 1_000, min)).toBe(450);
  });

  it("stays within SQS's 12 hours and above 1 second", () => {
    expect(deferSeconds(DEFAULT_RETRY_POLICY, 1, 100 * 3600 * 1000, max)).toBe(43_200);
    expect(deferSeconds({ ...DEFAULT_RETRY_POLICY, baseDelaySeconds: 0 }, 1, undefined, min)).toBe(1);
  });

  it('keeps an alert in the queue at least five hours over the 50 receives before the DLQ', () => {
    let total = 0;
    for (let receive = 1; receive < 50; receive++) total += deferSeconds(DEFAULT_RETRY_POLICY, receive, undefined, min);
    expect(total).toBeGreaterThan(5 * 3600);
  });
});

describe('inlineWaitMs', () => {
  it('waits what Retry-After asks, else about 1 s, 2 s, 4 s', () => {
    expect(inlineWaitMs(1, 7000, max)).toBe(7000);
    expect([1, 2, 3].map((a) => inlineWaitMs(a, undefined, max))).toEqual([1000, 2000, 4000]);
    expect([1, 2, 3].map((a) => inlineWaitMs(a, undefined, min))).toEqual([500, 1000, 2000]);
  });
});
