import { describe, expect, it } from 'vitest';
import { MAX_TRACKED_EVENT_IDS } from '../../../../lib/pipeline/dedup/constants.ts';
import type { DedupItem } from '../../../../lib/pipeline/dedup/dedup-item.ts';
import { decideClaim, decideTakeOver, type ClaimRequest } from '../../../../lib/pipeline/dedup/decide.ts';

const NOW = 1_000_000;
const request: ClaimRequest = { fingerprint: 'e2', now: NOW, threshold: 1, severity: 'MEDIUM', owner: 'me' };
const item = (overrides: Partial<DedupItem>): DedupItem => ({
  alertId: 'a',
  firstAlertId: 'a',
  windowStart: NOW - 100,
  windowEndsAt: NOW + 3500,
  expiresAt: NOW + 90_000,
  status: 'sent',
  severity: 'MEDIUM',
  leaseUntil: 0,
  leaseOwner: '',
  eventCount: 1,
  eventIds: ['e1'],
  distinctValues: [],
  alert: undefined,
  ...overrides,
});

describe('decideClaim', () => {
  it('opens a window when there is none, or a finished one is past its TTL (expiresAt <= now)', () => {
    expect(decideClaim(undefined, request)).toEqual({ kind: 'open' });
    expect(decideClaim(item({ expiresAt: NOW }), request)).toEqual({ kind: 'open' });
    expect(decideClaim(item({ expiresAt: NOW, status: 'counting' }), request)).toEqual({ kind: 'open' });
    expect(decideClaim(item({ expiresAt: NOW + 1 }), request).kind).toBe('suppress');
  });

  it('never opens over a pending window, however old: it takes it over once the lease has ended', () => {
    const stale = item({ expiresAt: NOW - 1, status: 'pending', leaseUntil: NOW - 5 });
    expect(decideClaim(stale, request)).toMatchObject({ kind: 'take-over' });
    expect(decideClaim({ ...stale, leaseUntil: NOW + 5 }, request)).toMatchObject({
      kind: 'busy',
      retryAfterSeconds: 5,
    });
  });

  it('does not decide by the window end: a late event of an ended window still joins it', () => {
    expect(decideClaim(item({ windowEndsAt: NOW - 10 }), request)).toMatchObject({ kind: 'suppress' });
  });

  it('suppresses a new event of no higher severity in a sent window, and ignores a counted one', () => {
    const sent = item({});
    expect(decideClaim(sent, request)).toEqual({ kind: 'suppress', item: sent, track: true });
    expect(decideClaim(sent, { ...request, severity: 'LOW' })).toEqual({ kind: 'suppress', item: sent, track: true });
    expect(decideClaim(sent, { ...request, fingerprint: 'e1' })).toEqual({ kind: 'duplicate', item: sent });
  });

  it('escalates a more severe new event in a sent window, but never a redelivered one', () => {
    const sent = item({});
    expect(decideClaim(sent, { ...request, severity: 'HIGH' })).toEqual({ kind: 'escalate', item: sent, track: true });
    expect(decideClaim(sent, { ...request, severity: 'HIGH', fingerprint: 'e1' })).toEqual({
      kind: 'duplicate',
      item: sent,
    });
    expect(decideClaim(item({ severity: 'HIGH' }), { ...request, severity: 'HIGH' }).kind).toBe('suppress');
  });

  it('stops tracking event ids past the cap in a sent window, but still counts and escalates', () => {
    const full = item({ eventIds: Array.from({ length: MAX_TRACKED_EVENT_IDS }, (_, i) => `x${i}`) });
    expect(decideClaim(full, request)).toEqual({ kind: 'suppress', item: full, track: false });
    expect(decideClaim(full, { ...request, severity: 'CRITICAL' })).toEqual({
      kind: 'escalate',
      item: full,
      track: false,
    });
    const almost = item({ eventIds: Array.from({ length: MAX_TRACKED_EVENT_IDS - 1 }, (_, i) => `x${i}`) });
    expect(decideClaim(almost, request)).toEqual({ kind: 'suppress', item: almost, track: true });
  });

  it('is busy while another invocation holds a live lease, even for the opening event', () => {
    const pending = item({ status: 'pending', leaseUntil: NOW + 20 });
    expect(decideClaim(pending, request)).toEqual({ kind: 'busy', item: pending, retryAfterSeconds: 20 });
    expect(decideClaim(pending, { ...request, fingerprint: 'e1' })).toEqual({
      kind: 'busy',
      item: pending,
      retryAfterSeconds: 20,
    });
  });

  it('resumes when the pending lease is its own (an applied write whose response was lost)', () => {
    const mine = item({ status: 'pending', leaseUntil: NOW + 60, leaseOwner: 'me' });
    expect(decideClaim(mine, request)).toEqual({ kind: 'resume', item: mine });
    expect(decideClaim({ ...mine, leaseUntil: NOW - 1 }, request)).toEqual({
      kind: 'resume',
      item: { ...mine, leaseUntil: NOW - 1 },
    });
    expect(decideClaim({ ...mine, leaseOwner: 'someone-else' }, request).kind).toBe('busy');
  });

  it('takes over an ended lease (leaseUntil <= now), counting only a new event of no higher severity', () => {
    const stale = item({ status: 'pending', leaseUntil: NOW });
    expect(decideClaim(stale, { ...request, fingerprint: 'e1' })).toEqual({
      kind: 'take-over',
      item: stale,
      count: false,
      track: false,
      again: false,
    });
    expect(decideClaim(stale, request)).toEqual({
      kind: 'take-over',
      item: stale,
      count: true,
      track: true,
      again: false,
    });
  });

  it('takes over for a more severe event without counting it, and asks to claim it again afterwards', () => {
    const stale = item({ status: 'pending', leaseUntil: NOW - 1 });
    expect(decideClaim(stale, { ...request, severity: 'HIGH' })).toEqual({
      kind: 'take-over',
      item: stale,
      count: false,
      track: false,
      again: true,
    });
    expect(decideClaim(stale, { ...request, severity: 'HIGH', fingerprint: 'e1' })).toEqual({
      kind: 'take-over',
      item: stale,
      count: false,
      track: false,
      again: false,
    });
  });

  it('counts towards the threshold and says when it is reached; tracks every counted event below it', () => {
    const counting = item({ status: 'counting', eventCount: 1 });
    expect(decideClaim(counting, { ...request, threshold: 3 })).toEqual({
      kind: 'count',
      item: counting,
      reachesThreshold: false,
      track: true,
      newValue: false,
    });
    expect(decideClaim(item({ status: 'counting', eventCount: 2 }), { ...request, threshold: 3 })).toMatchObject({
      kind: 'count',
      reachesThreshold: true,
    });
    expect(decideClaim(counting, { ...request, fingerprint: 'e1', threshold: 3 })).toEqual({
      kind: 'duplicate',
      item: counting,
    });
    const many = item({
      status: 'counting',
      eventCount: MAX_TRACKED_EVENT_IDS,
      eventIds: Array.from({ length: MAX_TRACKED_EVENT_IDS }, (_, i) => `x${i}`),
    });
    expect(decideClaim(many, { ...request, threshold: MAX_TRACKED_EVENT_IDS + 1 })).toMatchObject({
      kind: 'count',
      reachesThreshold: true,
      track: true,
    });
  });

  it('counts distinct values toward the threshold when the rule has unique(): a repeated value counts the event, not the threshold', () => {
    const counting = item({ status: 'counting', eventCount: 4, distinctValues: ['ip1', 'ip2'] });
    const distinct = { ...request, threshold: 3 };
    expect(decideClaim(counting, { ...distinct, distinct: 'ip1' })).toEqual({
      kind: 'count',
      item: counting,
      reachesThreshold: false,
      track: true,
      newValue: false,
    });
    expect(decideClaim(counting, { ...distinct, distinct: 'ip3' })).toEqual({
      kind: 'count',
      item: counting,
      reachesThreshold: true,
      track: true,
      newValue: true,
    });
    // Without unique() the same window would have reached 3 long ago: matches, not values, count.
    expect(decideClaim(counting, distinct)).toMatchObject({ reachesThreshold: true, newValue: false });
  });
});

describe('decideTakeOver', () => {
  it('publishes another pending window only when its lease has ended', () => {
    const pending = item({ status: 'pending', leaseUntil: NOW });
    expect(decideTakeOver(pending, NOW)).toEqual({ kind: 'take-over', item: pending });
    expect(decideTakeOver({ ...pending, leaseUntil: NOW + 1 }, NOW)).toEqual({ kind: 'busy' });
  });

  it('forgets a window that is gone or no longer pending', () => {
    expect(decideTakeOver(undefined, NOW)).toEqual({ kind: 'gone' });
    expect(decideTakeOver(item({ status: 'sent' }), NOW)).toEqual({ kind: 'gone' });
    expect(decideTakeOver(item({ status: 'counting' }), NOW)).toEqual({ kind: 'gone' });
  });
});
