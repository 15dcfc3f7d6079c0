import { describe, expect, it } from 'vitest';
import { MAX_FUTURE_SKEW_SECONDS, REPLAY_HORIZON_SECONDS } from '../../../../lib/pipeline/dedup/constants.ts';
import { expiryAfterWrite, placeInWindow, systemClock } from '../../../../lib/pipeline/dedup/window.ts';

const HOUR = 3600;
const NOW = 1_800_000_000;

describe('placeInWindow', () => {
  it('places an event by its own time in the aligned window it belongs to, whenever it is processed', () => {
    const old = NOW - 26 * HOUR + 1234;
    const start = Math.floor(old / HOUR) * HOUR;
    expect(placeInWindow(old, NOW, HOUR)).toEqual({ windowStart: start, windowEndsAt: start + HOUR, clock: 'event' });
    expect(placeInWindow(old, NOW + 10 * 86_400, HOUR)).toEqual({
      windowStart: start,
      windowEndsAt: start + HOUR,
      clock: 'event',
    });
  });

  it('puts the first and last second of a window in it, and the next second in the next', () => {
    const start = 1_799_996_400; // a multiple of 3600
    expect(placeInWindow(start, NOW, HOUR).windowStart).toBe(start);
    expect(placeInWindow(start + HOUR - 1, NOW, HOUR).windowStart).toBe(start);
    expect(placeInWindow(start + HOUR, NOW, HOUR).windowStart).toBe(start + HOUR);
    expect(placeInWindow(start + 599, NOW, 600)).toMatchObject({ windowStart: start, windowEndsAt: start + 600 });
  });

  it('uses processing time when the event has no usable time', () => {
    const start = Math.floor(NOW / HOUR) * HOUR;
    expect(placeInWindow(undefined, NOW, HOUR)).toEqual({
      windowStart: start,
      windowEndsAt: start + HOUR,
      clock: 'processing',
    });
    expect(placeInWindow(Number.NaN, NOW, HOUR).clock).toBe('processing');
    expect(placeInWindow(Number.POSITIVE_INFINITY, NOW, HOUR).clock).toBe('processing');
  });

  it('trusts event times up to the allowed skew in the future, and no further', () => {
    expect(placeInWindow(NOW + MAX_FUTURE_SKEW_SECONDS, NOW, 60)).toMatchObject({
      clock: 'event',
      windowStart: NOW + MAX_FUTURE_SKEW_SECONDS - ((NOW + MAX_FUTURE_SKEW_SECONDS) % 60),
    });
    expect(placeInWindow(NOW + MAX_FUTURE_SKEW_SECONDS + 1, NOW, 60)).toMatchObject({
      clock: 'processing',
      windowStart: NOW - (NOW % 60),
    });
  });
});

describe('expiryAfterWrite', () => {
  it('keeps an item for the replay horizon after the later of its window end and the write', () => {
    expect(expiryAfterWrite(NOW + HOUR, NOW)).toBe(NOW + HOUR + REPLAY_HORIZON_SECONDS);
    expect(expiryAfterWrite(NOW - HOUR, NOW)).toBe(NOW + REPLAY_HORIZON_SECONDS);
  });

  it('never moves an expiry earlier', () => {
    expect(expiryAfterWrite(NOW - HOUR, NOW, NOW + 2 * REPLAY_HORIZON_SECONDS)).toBe(NOW + 2 * REPLAY_HORIZON_SECONDS);
    expect(REPLAY_HORIZON_SECONDS).toBeGreaterThanOrEqual(14 * 86_400);
  });
});

describe('systemClock', () => {
  it('is the system time in whole Unix seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const now = systemClock();
    expect(Number.isInteger(now)).toBe(true);
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});
