// Property-based tests of the correlation state: what keeping a few records per step costs, and
// what it does not. Each step keeps only its newest recordsKept records, so the state's size does
// not grow with an account's history; on events that come in time order that loses no finding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LATE_ARRIVAL_SECONDS,
  byTime,
  emptyCorrelationState,
  recordStep,
  recordSteps,
  recordsKept,
  type CorrelationShape,
  type CorrelationState,
  type StepAddition,
  type StepRecord,
} from '../../lib/detection/engine/correlation.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

const rule: CorrelationShape = {
  id: 'C',
  steps: [
    { id: 'a', ruleId: 'A', minMatchCount: 3 },
    { id: 'b', ruleId: 'B', minMatchCount: 1 },
  ],
  lookbackMinutes: 10,
};
const LOOKBACK = rule.lookbackMinutes * 60;

/** The findings' triggers a state that forgets nothing would give, step by step (the definition). */
function unboundedTriggers(additions: readonly StepAddition[]): string[] {
  const seen = new Set<string>();
  const kept: Array<Array<{ eventId: string; time: number }>> = [[], []];
  const fired: string[] = [];
  for (const { stepIndex, record } of additions) {
    if (seen.has(`${stepIndex}:${record.eventId}`)) continue;
    seen.add(`${stepIndex}:${record.eventId}`);
    kept[stepIndex]?.push(record);
    const complete = (trigger: { time: number }) =>
      (kept[0] ?? []).filter((r) => r.time >= trigger.time - LOOKBACK && r.time <= trigger.time).length >=
      (rule.steps[0]?.minMatchCount ?? 0);
    if (stepIndex === 1) {
      if (complete(record)) fired.push(record.eventId);
    } else {
      for (const trigger of kept[1] ?? [])
        if (record.time <= trigger.time && trigger.time - record.time <= LOOKBACK && complete(trigger))
          fired.push(trigger.eventId);
    }
  }
  return fired;
}

/** Additions in time order: gaps of 0–300 s, ids repeated now and then (redeliveries). */
const ordered = fc
  .array(
    fc.record({
      stepIndex: fc.integer({ min: 0, max: 3 }).map((n) => (n === 3 ? 1 : 0)),
      gap: fc.integer({ min: 0, max: 300 }),
      repeat: fc.integer({ min: 0, max: 9 }),
    }),
    { maxLength: 200 },
  )
  .map((steps) => {
    let time = 1_700_000_000;
    const additions: StepAddition[] = [];
    steps.forEach(({ stepIndex, gap, repeat }, index) => {
      time += gap;
      const earlier = additions[index - 1 - (repeat % Math.max(1, index))];
      additions.push(
        repeat === 0 && earlier !== undefined ? earlier : { stepIndex, record: { eventId: `e${index}`, time } },
      );
    });
    return additions;
  });

/** recordStep the slow, obvious way: add, prune, sort, cut, every step anew. */
function obviousRecordStep(state: CorrelationState, stepIndex: number, record: StepRecord) {
  const current = state.steps[stepIndex] ?? [];
  if (!Number.isFinite(record.time) || current.some((r) => r.eventId === record.eventId))
    return { state, added: false };
  const newest = Math.max(record.time, ...state.steps.flat().map((r) => r.time));
  const horizon = newest - LOOKBACK - LATE_ARRIVAL_SECONDS;
  const steps = state.steps.map((records, index) => {
    const kept = (index === stepIndex ? [...records, record] : [...records])
      .filter((r) => r.time >= horizon)
      .sort(byTime);
    const limit = recordsKept(rule.steps[index] as CorrelationShape['steps'][number]);
    return kept.length > limit ? kept.slice(kept.length - limit) : kept;
  });
  const added = steps[stepIndex]?.includes(record) ?? false;
  return added ? { state: { steps }, added } : { state, added };
}

describe('correlation state (properties)', () => {
  it('recordStep keeps what the obvious way keeps, in the same order, and says added alike', () => {
    const day = 24 * 3600;
    // Mostly in time order, some late by up to 40 days, ids reused now and then, rarely an odd time.
    const step = fc.record({
      stepIndex: fc.integer({ min: 0, max: 1 }),
      time: fc.oneof(
        { weight: 20, arbitrary: fc.integer({ min: 0, max: 600 }) },
        { weight: 5, arbitrary: fc.integer({ min: 0, max: 40 * day }) },
        { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0.5, -1) },
      ),
      reuse: fc.integer({ min: 0, max: 7 }),
    });
    let pruned = 0;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), fc.boolean(), (steps, ascending) => {
        let fast = emptyCorrelationState(2);
        let slow = emptyCorrelationState(2);
        let clock = 0;
        for (const [index, { stepIndex, time, reuse }] of steps.entries()) {
          clock += ascending ? 37 : 0;
          const record = {
            eventId: reuse === 0 && index > 0 ? `e${(index * 7) % index}` : `e${index}`,
            time: Number.isInteger(time) ? clock + time : time,
          };
          const a = recordStep(rule, fast, stepIndex, record);
          const b = obviousRecordStep(slow, stepIndex, record);
          expect(a.added).toBe(b.added);
          expect(a.state).toEqual(b.state);
          if (b.added && b.state.steps.flat().length < slow.steps.flat().length + 1) pruned++;
          fast = a.state;
          slow = b.state;
        }
      }),
      { numRuns: RUNS },
    );
    // Records were dropped (by the cap or the horizon) in many steps.
    expect(pruned).toBeGreaterThan(100);
  });

  it('on events in time order, finds exactly what a state that forgets nothing finds', () => {
    fc.assert(
      fc.property(ordered, (additions) => {
        const { findings } = recordSteps(rule, emptyCorrelationState(2), 'k', additions);
        expect([...new Set(findings.map(({ finding }) => finding.trigger.eventId))]).toEqual([
          ...new Set(unboundedTriggers(additions)),
        ]);
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps at most recordsKept records per step, whatever the history and its order', () => {
    const shuffled = ordered.chain((additions) => fc.shuffledSubarray(additions, { minLength: additions.length }));
    fc.assert(
      fc.property(shuffled, (additions) => {
        const { state } = recordSteps(rule, emptyCorrelationState(2), 'k', additions);
        state.steps.forEach((records, index) =>
          expect(records.length).toBeLessThanOrEqual(
            recordsKept(rule.steps[index] as CorrelationShape['steps'][number]),
          ),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('replaying a batch on the state it produced changes nothing and finds its findings again (a redelivery)', () => {
    fc.assert(
      fc.property(ordered, fc.nat(), (additions, cut) => {
        const split = additions.length === 0 ? 0 : cut % additions.length;
        const before = recordSteps(rule, emptyCorrelationState(2), 'k', additions.slice(0, split));
        const batch = additions.slice(split);
        const first = recordSteps(rule, before.state, 'k', batch);
        const again = recordSteps(rule, first.state, 'k', batch);
        expect(again.changed).toBe(false);
        expect(again.state).toEqual(first.state);
        // What the first delivery found at the end of the batch, the redelivery finds too.
        const last = (found: typeof first.findings) =>
          new Set(
            found.filter(({ addition }) => addition === batch.length - 1).map(({ finding }) => finding.trigger.eventId),
          );
        expect(last(again.findings)).toEqual(last(first.findings));
      }),
      { numRuns: RUNS },
    );
  });

  it('forgets records older than the lookback plus the late-arrival allowance before the newest', () => {
    const { state } = recordSteps(rule, emptyCorrelationState(2), 'k', [
      { stepIndex: 0, record: { eventId: 'old', time: 0 } },
      { stepIndex: 1, record: { eventId: 'new', time: LOOKBACK + LATE_ARRIVAL_SECONDS + 1 } },
    ]);
    expect(state.steps).toEqual([[], [{ eventId: 'new', time: LOOKBACK + LATE_ARRIVAL_SECONDS + 1 }]]);
  });
});
