import { describe, expect, it } from 'vitest';
import { MAX_TRACKED_EVENT_IDS } from '../../../../lib/pipeline/dedup/constants.ts';
import type { DedupItem } from '../../../../lib/pipeline/dedup/dedup-item.ts';
import { decideClaim, type ClaimRequest } from '../../../../lib/pipeline/dedup/decide.ts';

const NOW = 1_000_000;
const request: ClaimRequest = { dedupKey: 'k', ruleId: 'R', eventId: 'e2', now: NOW, windowSeconds: 3600, threshold: 1, leaseSeconds: 60, owner: 'me' };
const item = (overrides: Partial<DedupItem>): DedupItem => ({
  pk: 'k', alertId: 'a', ruleId: 'R', windowStart: NOW - 100, windowEndsAt: NOW + 3500, expiresAt: NOW + 90_000,
  status: 'sent', leaseUntil: 0, leaseOwner: '', firstEventId: 'e1', eventCount: 1, eventIds: ['e1'], ...overrides,
});

describe('decideClaim', () => {
  it('opens a window when there is none or it has ended (windowEndsAt <= now)', () => {
    expect(decideClaim(undefined, request)).toEqual({ kind: 'open' });
    expect(decideClaim(item({ windowEndsAt: NOW }), request)).toEqual({ kind: 'open' });
    expect(decideClaim(item({ windowEndsAt: NOW - 1, status: 'pending', leaseUntil: NOW + 50 }), request)).toEqual({ kind: 'open' });
  });

  it('suppresses a new event in a sent window, and ignores a counted one', () => {
    const sent = item({});
    expect(decideClaim(sent, request)).toEqual({ kind: 'suppress', item: sent, track: true });
    expect(decideClaim(sent, { ...request, eventId: 'e1' })).toEqual({ kind: 'duplicate', item: sent });
  });

  it('stops tracking event ids past the cap but still counts', () => {
    const full = item({ eventIds: Array.from({ length: MAX_TRACKED_EVENT_IDS }, (_, i) => `x${i}`) });
    expect(decideClaim(full, request)).toEqual({ kind: 'suppress', item: full, track: false });
  });

  it('is busy while another invocation holds a live lease, even for the opening event', () => {
    const pending = item({ status: 'pending', leaseUntil: NOW + 20 });
    expect(decideClaim(pending, request)).toEqual({ kind: 'busy', item: pending, retryAfterSeconds: 20 });
    expect(decideClaim(pending, { ...request, eventId: 'e1' })).toEqual({ kind: 'busy', item: pending, retryAfterSeconds: 20 });
  });

  it('resumes when the pending lease is its own (an applied write whose response was lost)', () => {
    const mine = item({ status: 'pending', leaseUntil: NOW + 60, leaseOwner: 'me' });
    expect(decideClaim(mine, request)).toEqual({ kind: 'resume', item: mine });
    expect(decideClaim({ ...mine, leaseOwner: 'someone-else' }, request).kind).toBe('busy');
  });

  it('takes over an expired lease (leaseUntil <= now), counting only a new event', () => {
    const stale = item({ status: 'pending', leaseUntil: NOW });
    expect(decideClaim(stale, { ...request, eventId: 'e1' })).toEqual({ kind: 'take-over', item: stale, count: false, track: false });
    expect(decideClaim(stale, request)).toEqual({ kind: 'take-over', item: stale, count: true, track: true });
  });

  it('counts towards the threshold and says when it is reached', () => {
    const counting = item({ status: 'counting', eventCount: 1 });
    expect(decideClaim(counting, { ...request, threshold: 3 })).toEqual({ kind: 'count', item: counting, reachesThreshold: false, track: true });
    expect(decideClaim(item({ status: 'counting', eventCount: 2 }), { ...request, threshold: 3 })).toMatchObject({ kind: 'count', reachesThreshold: true });
    expect(decideClaim(counting, { ...request, eventId: 'e1', threshold: 3 })).toEqual({ kind: 'duplicate', item: counting });
  });
});
