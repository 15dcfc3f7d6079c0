// Property-based tests of the correlation state: what keeping a few records per step costs, and
// what it does not. A step keeps its oldest and newest few records and the trigger times they
// completed, so the state's size does not grow with an account's history: it never finds what is
// not there, and loses nothing on events in time order or within one lookback.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LATE_ARRIVAL_SECONDS,
  MAX_SPANS_PER_STEP,
  TRIGGERS_KEPT,
  emptyCorrelationState,
  recordSteps,
  recordsKept,
  type CorrelationShape,
  type StepAddition,
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

/** The triggers a state that forgets nothing finds complete once every addition is known, whatever their order. */
function completeTriggers(additions: readonly StepAddition[]): Set<string> {
  const failures = new Map<string, number>();
  const triggers = new Map<string, number>();
  for (const { stepIndex, record } of additions) {
    if (!Number.isFinite(record.time)) continue;
    const into = stepIndex === 0 ? failures : triggers;
    if (!into.has(record.eventId)) into.set(record.eventId, record.time);
  }
  const need = rule.steps[0]?.minMatchCount ?? 0;
  const complete = new Set<string>();
  for (const [id, time] of triggers) {
    let count = 0;
    for (const failure of failures.values()) if (failure >= time - LOOKBACK && failure <= time) count++;
    if (count >= need) complete.add(id);
  }
  return complete;
}

/** Every trigger a sequence of additions finds, one at a time. */
function foundTriggers(additions: readonly StepAddition[]): Set<string> {
  const { findings } = recordSteps(rule, emptyCorrelationState(2), 'k', additions);
  return new Set(findings.map(({ finding }) => finding.trigger.eventId));
}

/** Additions in any order, some repeated, some late by up to 40 days, rarely an odd time. */
const anyOrder = fc
  .array(
    fc.record({
      stepIndex: fc.integer({ min: 0, max: 3 }).map((n) => (n === 3 ? 1 : 0)),
      time: fc.oneof(
        { weight: 20, arbitrary: fc.integer({ min: 0, max: 3 * LOOKBACK }) },
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 40 * 24 * 3600 }) },
        { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0.5, -1) },
      ),
      reuse: fc.integer({ min: 0, max: 7 }),
    }),
    { maxLength: 200 },
  )
  .map((steps) => {
    const additions: StepAddition[] = [];
    steps.forEach(({ stepIndex, time, reuse }, index) => {
      const earlier = additions[(index * 7) % Math.max(1, index)];
      additions.push(
        reuse === 0 && earlier !== undefined ? earlier : { stepIndex, record: { eventId: `e${index}`, time } },
      );
    });
    return additions;
  });

describe('correlation state (properties)', () => {
  it('never finds a trigger that is not complete, whatever the order, repeats and times of its matches', () => {
    fc.assert(
      fc.property(anyOrder, (additions) => {
        const complete = completeTriggers(additions);
        for (const trigger of foundTriggers(additions)) expect(complete).toContain(trigger);
      }),
      { numRuns: RUNS },
    );
  });

  it(`finds every complete trigger in any order when the failures fit in one lookback and at most ${TRIGGERS_KEPT} triggers come`, () => {
    const additions = fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: LOOKBACK }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 2 * LOOKBACK }), { maxLength: TRIGGERS_KEPT }),
      )
      .map(([failures, triggers]) => [
        ...failures.map((time, i): StepAddition => ({ stepIndex: 0, record: { eventId: `f${i}`, time } })),
        ...triggers.map((time, i): StepAddition => ({ stepIndex: 1, record: { eventId: `s${i}`, time } })),
      ])
      .chain((list) => fc.shuffledSubarray(list, { minLength: list.length }))
      .chain((list) =>
        fc
          .array(fc.nat({ max: Math.max(0, list.length - 1) }), { maxLength: 10 })
          .map((repeats) => [...list, ...repeats.flatMap((at) => (list[at] === undefined ? [] : [list[at]]))]),
      );
    let completed = 0;
    fc.assert(
      fc.property(additions, (list) => {
        const complete = completeTriggers(list);
        completed += complete.size;
        expect(foundTriggers(list)).toEqual(complete);
      }),
      { numRuns: RUNS },
    );
    // Not a vacuous truth: many triggers were complete (about one a run).
    expect(completed).toBeGreaterThan(RUNS / 4);
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

  it('keeps at most recordsKept records and MAX_SPANS_PER_STEP spans per step, whatever the history and its order', () => {
    fc.assert(
      fc.property(anyOrder, (additions) => {
        const { state } = recordSteps(rule, emptyCorrelationState(2), 'k', additions);
        state.steps.forEach((records, index) => expect(records.length).toBeLessThanOrEqual(recordsKept(rule, index)));
        for (const spans of state.covered) expect(spans.length).toBeLessThanOrEqual(MAX_SPANS_PER_STEP);
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
    expect(state.covered).toEqual([[]]);
  });
});
