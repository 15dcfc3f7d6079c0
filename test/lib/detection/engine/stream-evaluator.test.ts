import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import type { LogType } from '../../../../lib/detection/engine/log-type.ts';
import type { Rule } from '../../../../lib/detection/engine/rule.ts';
import { StreamBounds } from '../../../../lib/detection/engine/stream-bounds.ts';
import { MAX_DISTINCT_VALUES_PER_WINDOW, StreamEvaluator } from '../../../../lib/detection/engine/stream-evaluator.ts';
import { testCorrelationRule, testRule } from '../../../support/test-rule.ts';

interface Ev {
  readonly id: string;
  readonly t: number | undefined;
  readonly who: string;
  readonly ip: string;
  readonly sev: string;
}

const logType: LogType<Ev> = {
  name: 'Test.Log',
  eventTypeOf: () => 't',
  normalize: (raw) => raw as Ev,
  identify: (event) => ({ eventId: event.id, eventType: 't', eventTime: event.t }),
  subject: () => ({ actorIds: [], serviceAccountIds: [], emails: [], sourceIp: undefined }),
};

function stream(rule: Partial<Rule<Ev>>, now = 0): StreamEvaluator {
  const catalog = new RuleCatalog().register(logType, [
    testRule<Ev>('R', { dedup: (e) => e.who, severity: (e) => e.sev, dedupPeriodMinutes: 10, ...rule }),
  ]);
  return new StreamEvaluator(catalog, 'Test.Log', { now: () => now });
}

const ev = (id: string, t: number | undefined, extra: Partial<Ev> = {}): Ev => ({
  id,
  t,
  who: 'a',
  ip: '1',
  sev: 'LOW',
  ...extra,
});

/** Events of a log whose failed and successful logins feed a correlation. */
interface Cv {
  readonly id: string;
  readonly t: number;
  readonly type: string;
  readonly who: string;
}

const corrLog: LogType<Cv> = {
  name: 'Corr.Log',
  eventTypeOf: (raw) => (raw as Cv).type,
  normalize: (raw) => raw as Cv,
  identify: (event) => ({ eventId: event.id, eventType: event.type, eventTime: event.t }),
  subject: () => ({ actorIds: [], serviceAccountIds: [], emails: [], sourceIp: undefined }),
};

describe('StreamEvaluator', () => {
  it('alerts once per window aligned to the dedup period, in event time, whatever the arrival order', () => {
    const s = stream({});
    const alerted = [ev('e1', 1205), ev('e0', 1199), ev('e2', 1799), ev('e3', 1800)].map(
      (e) => s.push(e).alerts.length,
    );
    // 1199 is in window [600, 1200); 1205 and 1799 share [1200, 1800); 1800 opens [1800, 2400).
    expect(alerted).toEqual([1, 1, 0, 1]);
  });

  it('counts a redelivered event once, and reports repeats in an alerted window as deduplicated', () => {
    const s = stream({ threshold: 2 });
    expect(s.push(ev('e1', 0)).belowThreshold).toBe(1);
    expect(s.push(ev('e1', 0))).toMatchObject({ alerts: [], belowThreshold: 0, deduplicated: 0 });
    expect(s.push(ev('e2', 1)).alerts.map((a) => a.eventCount)).toEqual([2]);
    expect(s.push(ev('e3', 2)).deduplicated).toBe(1);
    // As the pipeline's windows: the events counted up to the alert are remembered (a repeat of e1
    // is still a repeat), those after it are not (a repeat of e3 is suppressed as any match).
    expect(s.push(ev('e1', 0))).toMatchObject({ alerts: [], belowThreshold: 0, deduplicated: 0 });
    expect(s.push(ev('e3', 2)).deduplicated).toBe(1);
  });

  it('counts distinct unique() values against the threshold', () => {
    const s = stream({ threshold: 3, unique: (e) => e.ip });
    const counts = ['1', '1', '2', '2', '3'].map((ip, i) =>
      s.push(ev(`e${i}`, i, { ip })).alerts.map((a) => a.eventCount),
    );
    expect(counts).toEqual([[], [], [], [], [5]]);
  });

  it('keeps at most MAX_DISTINCT_VALUES_PER_WINDOW distinct values', () => {
    const s = stream({ threshold: MAX_DISTINCT_VALUES_PER_WINDOW + 5, unique: (e) => e.ip });
    let alerts = 0;
    for (let i = 0; i < MAX_DISTINCT_VALUES_PER_WINDOW + 10; i++)
      alerts += s.push(ev(`e${i}`, 0, { ip: String(i) })).alerts.length;
    expect(alerts).toBe(0);
  });

  it("escalates once per severity level when a match is more severe than its window's alert", () => {
    const s = stream({});
    const results = ['LOW', 'LOW', 'HIGH', 'MEDIUM', 'HIGH', 'CRITICAL'].map((sev, i) =>
      s.push(ev(`e${i}`, i, { sev })).alerts.map((a) => [a.match.severity, a.escalatedFrom ?? null]),
    );
    expect(results).toEqual([[['LOW', null]], [], [['HIGH', 'LOW']], [], [], [['CRITICAL', 'HIGH']]]);
  });

  it('uses the processing time for events without a time', () => {
    const s = stream({}, 5000);
    expect(s.push(ev('e1', undefined)).alerts[0]?.windowEndsAt).toBe(5400);
  });

  it("forgets a window as the tables' TTL does, in event time, only when asked to, and never on input in reverse order", () => {
    const catalog = new RuleCatalog().register(logType, [
      testRule<Ev>('R', { dedup: (e) => e.who, dedupPeriodMinutes: 10 }),
    ]);
    const day = 86_400;
    const far = 1200 + 20 * day;
    const run = (s: StreamEvaluator, first: Ev, filler: Ev, last: Ev) => {
      const alerts: string[] = [];
      for (const a of s.push(first).alerts) alerts.push(a.match.eventId ?? '');
      // Sweeps run every 65,536 events and look at the events read since the one before.
      for (let i = 0; i < 2 * 65_536; i++) for (const a of s.push(filler).alerts) alerts.push(a.match.eventId ?? '');
      for (const a of s.push(last).alerts) alerts.push(a.match.eventId ?? '');
      return alerts;
    };
    const bounded = () => ({ memory: new StreamBounds({ windowTtlSeconds: 15 * day }) });
    // In time order: e2 falls in e1's window; kept, it is a repeat of an alerted window; forgotten
    // (every recent event 20 days on, past 15), it alerts afresh.
    const forward = [ev('e1', 1200), ev('far', far, { who: 'b' }), ev('e2', 1300)] as const;
    expect(run(new StreamEvaluator(catalog, 'Test.Log'), ...forward)).toEqual(['e1', 'far']);
    expect(run(new StreamEvaluator(catalog, 'Test.Log', bounded()), ...forward)).toEqual(['e1', 'far', 'e2']);
    // In reverse order the recent events are the old ones: the newer window is kept.
    const reverse = [ev('n1', far), ev('old', 1200, { who: 'b' }), ev('n2', far + 60)] as const;
    expect(run(new StreamEvaluator(catalog, 'Test.Log', bounded()), ...reverse)).toEqual(['n1', 'old']);
  });

  it('past maxWindows forgets the windows that ended longest ago, and counts a match that may have fallen in one', () => {
    const catalog = new RuleCatalog().register(logType, [
      testRule<Ev>('R', { dedup: (e) => e.who, dedupPeriodMinutes: 10 }),
    ]);
    // One window per actor and ten minutes, in time order, then e0 again and an old event of a0.
    const events = Array.from({ length: 40 }, (_, i) => ev(`e${i}`, i * 600, { who: `a${i}` }));
    const late = [ev('e0', 0, { who: 'a0' }), ev('old', 30, { who: 'a0' })];
    const alertsOf = (s: StreamEvaluator, list: readonly Ev[]) =>
      list.flatMap((e) => s.push(e).alerts.map((a) => a.match.eventId));
    const unlimited = new StreamEvaluator(catalog, 'Test.Log');
    const bounds = new StreamBounds({ maxWindows: 8 });
    const limited = new StreamEvaluator(catalog, 'Test.Log', { memory: bounds });
    // In time order, forgetting early changes nothing, and nothing is counted as uncertain.
    const expected = alertsOf(unlimited, events);
    expect(expected).toHaveLength(40);
    expect(alertsOf(limited, events)).toEqual(expected);
    expect(bounds.stats).toMatchObject({ mayDiffer: 0 });
    // 40 windows through a limit of 8: at the ninth, the oldest three go (down to 6), and so on: 33.
    expect(bounds.stats.windowsForgotten).toBe(33);
    // The redelivered e0 and the late event fall in a0's window, long forgotten: they alert again, and say so.
    expect(alertsOf(unlimited, late)).toEqual([]);
    expect(alertsOf(limited, late)).toEqual(['e0']);
    expect(bounds.stats.mayDiffer).toBe(1);
  });

  it('past maxCorrelationRecords forgets the keys idle longest, and counts a step whose lookback reaches back to them', () => {
    const correlation = testCorrelationRule<Cv>('Brute', (event) => event.who);
    const catalog = new RuleCatalog().register(corrLog, [
      testRule<Cv>('Failed', { createAlert: false, eventTypes: ['fail'] }),
      testRule<Cv>('Succeeded', { createAlert: false, eventTypes: ['ok'] }),
      correlation,
    ]);
    // Ten accounts, one after the other, further apart than the lookback: two failures and a
    // success each (3 records).
    const events = Array.from({ length: 10 }, (_, a) =>
      ['fail', 'fail', 'ok'].map((type, i) => ({ id: `a${a}-${i}`, t: a * 1000 + i, type, who: `a${a}` })),
    ).flat();
    const late = [{ id: 'a0-late', t: 5, type: 'ok', who: 'a0' }];
    const alertsOf = (s: StreamEvaluator, list: readonly Cv[]) =>
      list.flatMap((e) => s.push(e).alerts.map((a) => a.match.eventId));
    const unlimited = new StreamEvaluator(catalog, 'Corr.Log');
    const bounds = new StreamBounds({ maxCorrelationRecords: 8 });
    const limited = new StreamEvaluator(catalog, 'Corr.Log', { memory: bounds });
    const expected = alertsOf(unlimited, events);
    expect(expected).toEqual(Array.from({ length: 10 }, (_, a) => `a${a}-2`));
    expect(alertsOf(limited, events)).toEqual(expected);
    expect(bounds.stats).toMatchObject({ mayDiffer: 0 });
    expect(bounds.stats.correlationKeysForgotten).toBeGreaterThanOrEqual(7);
    // A late success of a0: its failures are remembered by one (a finding, counted in a0's window,
    // which has alerted) and forgotten by the other (no finding at all), which says so.
    const findings = (s: StreamEvaluator) =>
      late.map((e) => s.push(e)).map((step) => [step.alerts.length, step.deduplicated]);
    expect(findings(unlimited)).toEqual([[0, 1]]);
    expect(findings(limited)).toEqual([[0, 0]]);
    expect(bounds.stats.mayDiffer).toBe(1);
  });

  it("counts every finding of a correlation in its key's window, and builds only the one that alerts", () => {
    let built = 0;
    const correlation = testCorrelationRule<Cv>('Brute', (event) => event.who, {
      dedupPeriodMinutes: 60,
      title: (finding) => {
        built++;
        if (finding.trigger.time >= 3600) throw new Error('title bug');
        return `brute force on ${finding.key}`;
      },
      alertContext: (finding) => ({ failures: finding.steps[0]?.records.length ?? 0 }),
    });
    const catalog = new RuleCatalog().register(corrLog, [
      testRule<Cv>('Failed', { createAlert: false, eventTypes: ['fail'] }),
      testRule<Cv>('Succeeded', { createAlert: false, eventTypes: ['ok'] }),
      correlation,
    ]);
    const s = new StreamEvaluator(catalog, 'Corr.Log');
    for (const [i, type] of ['fail', 'fail'].entries()) s.push({ id: `f${i}`, t: i, type, who: 'a' });
    // Three successes complete the sequence three times in one window: one alert, two counted.
    const steps = ['ok-1', 'ok-2', 'ok-3'].map((id, i) => s.push({ id, t: 10 + i, type: 'ok', who: 'a' }));
    expect(
      steps.map((step) => [
        step.alerts.map((a) => [a.match.title, a.match.dedup, a.match.severity, a.match.alertContext]),
        step.deduplicated,
        step.errors.length,
      ]),
    ).toEqual([
      [[['brute force on a', 'Brute:a', 'LOW', { failures: 2 }]], 0, 0],
      [[], 1, 0],
      [[], 1, 0],
    ]);
    expect(built).toBe(1);
    // Another key is another window.
    for (const [i, type] of ['fail', 'fail', 'ok'].entries()) s.push({ id: `b${i}`, t: 20 + i, type, who: 'b' });
    expect(built).toBe(2);
    // In a new window, what fails in a finding's functions is reported, and it still alerts.
    for (const [i, type] of ['fail', 'fail'].entries()) s.push({ id: `g${i}`, t: 3700 + i, type, who: 'a' });
    const next = s.push({ id: 'ok-4', t: 3710, type: 'ok', who: 'a' });
    expect([next.alerts.map((a) => a.match.title), next.errors.map((e) => [e.ruleId, e.function])]).toEqual([
      ['Brute'],
      [['Brute', 'title']],
    ]);
  });
});
