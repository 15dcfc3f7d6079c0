import { describe, expect, it } from 'vitest';
import type { Severity } from '../../../../lib/detection/engine/severity.ts';
import type { DedupItem } from '../../../../lib/pipeline/dedup/dedup-item.ts';
import {
  decideTakeOver,
  isReusable,
  notRemembered,
  planWindow,
  type PlanRequest,
  type PlannedMatch,
} from '../../../../lib/pipeline/dedup/decide.ts';

const NOW = 1_000_000;
const match = (fingerprint: string, severity: Severity = 'MEDIUM', distinct?: string): PlannedMatch => ({
  fingerprint,
  severity,
  ...(distinct === undefined ? {} : { distinct }),
});
const request = (matches: PlannedMatch[], overrides: Partial<PlanRequest> = {}): PlanRequest => ({
  matches,
  threshold: 1,
  distinct: false,
  now: NOW,
  owner: 'me',
  includesBatch: false,
  ...overrides,
});
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
  seen: [],
  storedSeen: [],
  values: [],
  alert: undefined,
  ...overrides,
});
const outcomes = (plan: ReturnType<typeof planWindow>) =>
  'outcomes' in plan ? [...plan.outcomes].sort(([a], [b]) => a - b).map(([, o]) => o) : [];

describe('planWindow on a new window', () => {
  it('alerts on the first match at threshold 1, and leaves the rest of the batch to claim after the alert', () => {
    const plan = planWindow(undefined, request([match('e1'), match('e2', 'HIGH'), match('e1')]));
    expect(plan).toMatchObject({ kind: 'start', at: 0, severity: 'MEDIUM', eventCount: 1, totalCount: 2, rest: [1] });
    // The copy of e1 in the same batch is a duplicate, not a second match.
    expect(outcomes(plan)).toEqual([{ kind: 'alerted' }, { kind: 'duplicate' }]);
  });

  it('counts in order until the match that reaches the threshold, at the highest severity counted', () => {
    const plan = planWindow(
      undefined,
      request([match('e1', 'LOW'), match('e2', 'HIGH'), match('e2'), match('e3', 'LOW'), match('e4')], {
        threshold: 3,
      }),
    );
    expect(plan).toMatchObject({ kind: 'start', at: 3, severity: 'HIGH', eventCount: 3, totalCount: 4, rest: [4] });
    expect(outcomes(plan)).toEqual([
      { kind: 'below-threshold', eventCount: 1 },
      { kind: 'below-threshold', eventCount: 2 },
      { kind: 'duplicate', eventCount: 2 },
      { kind: 'alerted' },
    ]);
  });

  it('stays below the threshold with fewer distinct events', () => {
    const plan = planWindow(undefined, request([match('e1'), match('e1'), match('e2')], { threshold: 3 }));
    expect(plan).toEqual({
      kind: 'done',
      alertId: '',
      outcomes: new Map([
        [0, { kind: 'below-threshold', eventCount: 1 }],
        [1, { kind: 'duplicate', eventCount: 1 }],
        [2, { kind: 'below-threshold', eventCount: 2 }],
      ]),
    });
  });

  it('counts distinct values toward the threshold for rules with unique(), every match toward the count', () => {
    const matches = [match('e1', 'LOW', 'ip1'), match('e2', 'LOW', 'ip1'), match('e3', 'LOW', 'ip2')];
    const plan = planWindow(undefined, request(matches, { threshold: 2, distinct: true }));
    expect(plan).toMatchObject({ kind: 'start', at: 2, eventCount: 3, totalCount: 3 });
    // Without distinct values, the second match would already have reached 2.
    expect(planWindow(undefined, request(matches, { threshold: 2 }))).toMatchObject({ kind: 'start', at: 1 });
  });

  it('replaces a finished window past its TTL, never a pending one', () => {
    expect(planWindow(item({ expiresAt: NOW }), request([match('e1')]))).toMatchObject({ kind: 'start', at: 0 });
    expect(planWindow(item({ expiresAt: NOW + 1 }), request([match('e1')])).kind).toBe('done');
    expect(isReusable(item({ expiresAt: NOW, status: 'counting' }), NOW)).toBe(true);
    expect(isReusable(item({ expiresAt: NOW - 1, status: 'pending' }), NOW)).toBe(false);
    expect(
      planWindow(item({ expiresAt: NOW - 1, status: 'pending', leaseUntil: NOW }), request([match('e')])).kind,
    ).toBe('take-over');
  });
});

describe('planWindow on a counting window', () => {
  const counting = item({ status: 'counting', severity: 'LOW', eventCount: 2, seen: ['e1', 'e2'] });

  it('counts only events it has not seen, from the count before the batch', () => {
    const plan = planWindow(counting, request([match('e2'), match('e3')], { threshold: 4 }));
    expect(outcomes(plan)).toEqual([
      { kind: 'duplicate', eventCount: 2 },
      { kind: 'below-threshold', eventCount: 3 },
    ]);
    expect(planWindow(counting, request([match('e2'), match('e3')], { threshold: 3 }))).toMatchObject({
      kind: 'start',
      at: 1,
      eventCount: 3,
      severity: 'MEDIUM',
    });
  });

  it('keeps the highest severity counted before the batch', () => {
    const high = { ...counting, severity: 'HIGH' as const };
    expect(planWindow(high, request([match('e3', 'LOW')], { threshold: 3 }))).toMatchObject({ severity: 'HIGH' });
  });

  it('publishes a window found at its threshold while still counting (its claim died before publishing)', () => {
    const reached = item({ status: 'counting', eventCount: 3, seen: ['e1', 'e2', 'e3'] });
    const plan = planWindow(reached, request([match('e3'), match('e9', 'HIGH')], { threshold: 3 }));
    expect(plan).toMatchObject({ kind: 'start', at: 0, eventCount: 3, totalCount: 4, rest: [1] });
    expect(outcomes(plan)).toEqual([{ kind: 'alerted' }]);
    // Its own new events are counted: in the alert up to the first, in the item all of them.
    const fresh = planWindow(reached, request([match('d'), match('e'), match('f'), match('e')], { threshold: 3 }));
    expect(fresh).toMatchObject({ kind: 'start', at: 0, eventCount: 4, totalCount: 6, rest: [1, 2] });
    expect(outcomes(fresh)).toEqual([{ kind: 'alerted' }, { kind: 'duplicate' }]);
    const values = item({ status: 'counting', eventCount: 7, values: ['ip1', 'ip2'] });
    expect(planWindow(values, request([match('e8', 'LOW', 'ip1')], { threshold: 2, distinct: true }))).toMatchObject({
      kind: 'start',
      at: 0,
      eventCount: 8,
    });
  });
});

describe('planWindow on a window whose alert is out', () => {
  it('suppresses matches no more severe than the alert, naming it', () => {
    const plan = planWindow(item({}), request([match('e2'), match('e3', 'LOW')]));
    expect(plan).toEqual({
      kind: 'done',
      alertId: 'a',
      outcomes: new Map([
        [0, { kind: 'suppressed' }],
        [1, { kind: 'suppressed' }],
      ]),
    });
  });

  it('escalates at the first more severe match and leaves the matches after it for the next step', () => {
    const sent = item({ eventCount: 5 });
    const plan = planWindow(sent, request([match('e2'), match('e3', 'HIGH'), match('e4', 'CRITICAL')]));
    expect(plan).toMatchObject({ kind: 'escalate', item: sent, at: 1, eventCount: 7, rest: [2] });
    expect(outcomes(plan)).toEqual([{ kind: 'suppressed' }, { kind: 'alerted' }]);
    // When the item already holds the batch (a claim of the rest after its own alert), nothing is added.
    expect(planWindow(sent, request([match('e3', 'HIGH')], { includesBatch: true }))).toMatchObject({
      kind: 'escalate',
      eventCount: 5,
    });
  });

  it('does not decide by the window end: a late event of an ended window still joins it', () => {
    expect(planWindow(item({ windowEndsAt: NOW - 10 }), request([match('e2')])).kind).toBe('done');
  });
});

describe('planWindow on a pending window', () => {
  // Another invocation is publishing its MEDIUM alert, made from e1, under a lease 20 s from its end.
  const pending = item({ status: 'pending', leaseUntil: NOW + 20, leaseOwner: 'other', eventCount: 3, seen: ['e1'] });

  it('counts and suppresses a batch no more severe than the alert while another invocation holds a live lease: duplicates by what the window remembers', () => {
    const batch = request([match('e1'), match('e2', 'LOW'), match('e3'), match('e1', 'INFO')]);
    expect(planWindow(pending, batch)).toEqual({
      kind: 'done',
      alertId: 'a',
      outcomes: new Map([
        [0, { kind: 'duplicate' }],
        [1, { kind: 'suppressed' }],
        [2, { kind: 'suppressed' }],
        [3, { kind: 'duplicate' }],
      ]),
      // Counted there, as much of it as is not counted yet (the store knows which write counted it).
      whilePending: true,
    });
    // Its counting write landed while the window was counting, and another claim's move won: counted already.
    expect(planWindow(pending, { ...batch, includesBatch: true })).toEqual({
      kind: 'done',
      alertId: 'a',
      outcomes: new Map([
        [0, { kind: 'duplicate' }],
        [1, { kind: 'suppressed' }],
        [2, { kind: 'suppressed' }],
        [3, { kind: 'duplicate' }],
      ]),
      whilePending: true,
    });
    // The lease is live up to its last second.
    expect(planWindow(pending, request([match('e2')], { now: NOW + 19 }))).toMatchObject({
      kind: 'done',
      whilePending: true,
    });
  });

  it('is busy while another invocation holds a live lease when any match is more severe than the alert (it waits, to escalate it)', () => {
    expect(planWindow(pending, request([match('e2', 'HIGH')]))).toEqual({
      kind: 'busy',
      item: pending,
      retryAfterSeconds: 20,
    });
    // One more severe match anywhere in the batch makes the whole batch wait, duplicates included.
    expect(planWindow(pending, request([match('e1'), match('e2', 'LOW'), match('e1', 'CRITICAL')]))).toEqual({
      kind: 'busy',
      item: pending,
      retryAfterSeconds: 20,
    });
    expect(
      planWindow(pending, request([match('e2'), match('e3', 'HIGH')], { includesBatch: true, now: NOW + 19 })),
    ).toEqual({ kind: 'busy', item: pending, retryAfterSeconds: 1 });
    // Against a HIGH alert, HIGH is no more severe: counted and suppressed.
    const high = { ...pending, severity: 'HIGH' as const };
    expect(planWindow(high, request([match('e2', 'HIGH')]))).toMatchObject({
      kind: 'done',
      outcomes: new Map([[0, { kind: 'suppressed' }]]),
      whilePending: true,
    });
  });

  it('resumes when the pending lease is its own (an applied write whose response was lost), whatever the lease', () => {
    const mine = item({ status: 'pending', leaseUntil: NOW - 1, leaseOwner: 'me' });
    expect(planWindow(mine, request([match('e1'), match('e2')]))).toEqual({ kind: 'resume', item: mine, rest: [0, 1] });
    // A live lease of its own too, and a more severe match makes no difference.
    const live = { ...mine, leaseUntil: NOW + 20 };
    expect(planWindow(live, request([match('e1'), match('e2', 'HIGH')]))).toEqual({
      kind: 'resume',
      item: live,
      rest: [0, 1],
    });
    // Another owner's live lease: busy for a more severe match, counted and suppressed otherwise.
    const others = { ...mine, leaseOwner: 'other', leaseUntil: NOW + 1 };
    expect(planWindow(others, request([match('e1', 'HIGH')]))).toEqual({
      kind: 'busy',
      item: others,
      retryAfterSeconds: 1,
    });
    expect(planWindow(others, request([match('e1')]))).toEqual({
      kind: 'done',
      alertId: 'a',
      outcomes: new Map([[0, { kind: 'suppressed' }]]),
      whilePending: true,
    });
  });

  it('takes over an ended lease (leaseUntil <= now), leaving every match to claim after the stored alert', () => {
    const stale = item({ status: 'pending', leaseUntil: NOW });
    expect(planWindow(stale, request([match('e1'), match('e2', 'HIGH')]))).toEqual({
      kind: 'take-over',
      item: stale,
      rest: [0, 1],
    });
    // Whatever the severity, and whether or not the batch is counted already.
    const ended = { ...pending, leaseUntil: NOW };
    for (const includesBatch of [false, true])
      expect(planWindow(ended, request([match('e1'), match('e2', 'LOW')], { includesBatch }))).toEqual({
        kind: 'take-over',
        item: ended,
        rest: [0, 1],
      });
  });
});

describe('notRemembered', () => {
  it('counts the distinct events of a batch a window does not remember', () => {
    expect(notRemembered([match('a'), match('b'), match('b'), match('c')], ['a'])).toBe(2);
    expect(notRemembered([match('a')], ['a', 'z'])).toBe(0);
    expect(notRemembered([], [])).toBe(0);
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
