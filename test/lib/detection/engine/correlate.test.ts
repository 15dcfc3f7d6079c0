import { describe, expect, it } from 'vitest';
import {
  LATE_ARRIVAL_SECONDS,
  MAX_RECORDS_PER_STEP,
  MAX_SPANS_PER_STEP,
  TRIGGERS_KEPT,
  correlationRecordCount,
  coveredBy,
  correlationFindings,
  recordSteps,
  recordsKept,
  emptyCorrelationState,
  recordStep,
  type CorrelationShape,
  type CorrelationState,
} from '../../../../lib/detection/engine/correlation.ts';

const rule: CorrelationShape = {
  id: 'Brute',
  steps: [
    { id: 'failures', ruleId: 'Failed', minMatchCount: 3 },
    { id: 'success', ruleId: 'Succeeded', minMatchCount: 1 },
  ],
  lookbackMinutes: 10,
};
const FAIL = 0;
const OK = 1;

function feed(events: Array<[step: number, id: string, minute: number]>): { state: CorrelationState; fired: string[] } {
  let state = emptyCorrelationState(2);
  const fired: string[] = [];
  for (const [step, eventId, minute] of events) {
    const record = { eventId, time: minute * 60 };
    state = recordStep(rule, state, step, record).state;
    for (const finding of correlationFindings(rule, state, 'alice', step, record)) fired.push(finding.trigger.eventId);
  }
  return { state, fired };
}

describe('correlation state', () => {
  it('fires when the last step follows enough earlier matches within the lookback', () => {
    expect(
      feed([
        [FAIL, 'f1', 0],
        [FAIL, 'f2', 1],
        [FAIL, 'f3', 2],
        [OK, 's1', 5],
      ]).fired,
    ).toEqual(['s1']);
  });

  it('does not fire on too few matches, outside the lookback, or when the last step comes first', () => {
    expect(
      feed([
        [FAIL, 'f1', 0],
        [FAIL, 'f2', 1],
        [OK, 's1', 5],
      ]).fired,
    ).toEqual([]);
    expect(
      feed([
        [FAIL, 'f1', 0],
        [FAIL, 'f2', 1],
        [FAIL, 'f3', 2],
        [OK, 's1', 13],
      ]).fired,
    ).toEqual([]);
    // Successes before the failures: not a brute force that succeeded.
    expect(
      feed([
        [OK, 's0', 0],
        [FAIL, 'f1', 1],
        [FAIL, 'f2', 2],
        [FAIL, 'f3', 3],
      ]).fired,
    ).toEqual([]);
  });

  it('fires when the earlier matches arrive after the last one (out-of-order delivery)', () => {
    expect(
      feed([
        [OK, 's1', 5],
        [FAIL, 'f3', 2],
        [FAIL, 'f1', 0],
        [FAIL, 'f2', 1],
      ]).fired,
    ).toEqual(['s1']);
  });

  it('counts an event once however often it is delivered, and finds the same finding again on redelivery', () => {
    let state = emptyCorrelationState(2);
    for (const id of ['f1', 'f1', 'f1']) state = recordStep(rule, state, FAIL, { eventId: id, time: 0 }).state;
    expect(state.steps[FAIL]).toHaveLength(1);
    expect(recordStep(rule, state, FAIL, { eventId: 'f1', time: 0 })).toEqual({ state, added: false });
    const { state: full } = feed([
      [FAIL, 'f1', 0],
      [FAIL, 'f2', 1],
      [FAIL, 'f3', 2],
      [OK, 's1', 5],
    ]);
    const again = correlationFindings(rule, full, 'alice', OK, { eventId: 's1', time: 300 });
    expect(again.map((f) => [f.trigger.eventId, f.steps[0]?.records.map((r) => r.eventId)])).toEqual([
      ['s1', ['f1', 'f2', 'f3']],
    ]);
  });

  it('keeps the oldest and newest matches a step needs, the times they complete, and the triggers not complete first', () => {
    let state = emptyCorrelationState(2);
    for (let i = 0; i < 50; i++) state = recordStep(rule, state, FAIL, { eventId: `f${i}`, time: i }).state;
    expect(state.steps[FAIL]?.map((r) => r.eventId)).toEqual(['f0', 'f1', 'f2', 'f47', 'f48', 'f49']);
    // Three failures within the lookback complete every time from the third to the first plus 600 s.
    expect(state.covered).toEqual([[[2, 47 + 600]]]);
    for (let i = 0; i < 5; i++) state = recordStep(rule, state, OK, { eventId: `s${i}`, time: i }).state;
    for (let i = 5; i < 10; i++) state = recordStep(rule, state, OK, { eventId: `s${i}`, time: 700 + i }).state;
    // s2-s4 were complete when they came (their findings are found then): dropped first, then s0.
    expect(state.steps[OK]?.map((r) => r.eventId)).toEqual(['s1', 's5', 's6', 's7', 's8', 's9']);
    expect(recordsKept(rule, OK)).toBe(TRIGGERS_KEPT);
    // A late failure among the kept ones completes nothing new: nothing changes.
    expect(recordStep(rule, state, FAIL, { eventId: 'late', time: 10 })).toEqual({ state, added: false });
  });

  it('completes a trigger whose failures arrive after it, newest first, though it keeps only six of them', () => {
    const fired = feed([
      [OK, 's', 30],
      ...Array.from({ length: 20 }, (_, i): [number, string, number] => [FAIL, `f${i}`, 29 - i]),
    ]).fired;
    // Failures at minutes 29, 28 and 27 are the first three within 10 minutes before the success.
    expect(fired).toEqual(['s', 's', 's', 's', 's', 's', 's', 's']);
  });

  it('never completes a trigger from fewer matches than a step needs, however they arrive', () => {
    const fired = feed([
      [FAIL, 'f1', 0],
      [OK, 's', 30],
      [FAIL, 'f2', 25],
      [FAIL, 'f3', 5],
      [FAIL, 'f1', 0],
      [FAIL, 'f2', 25],
    ]).fired;
    expect(fired).toEqual([]);
  });

  it('caps what a step keeps at MAX_RECORDS_PER_STEP, however many matches it needs', () => {
    expect(recordsKept(rule, FAIL)).toBe(6);
    const needy: CorrelationShape = {
      ...rule,
      steps: [{ id: 'a', ruleId: 'A', minMatchCount: MAX_RECORDS_PER_STEP }, rule.steps[1]!],
    };
    expect(recordsKept(needy, 0)).toBe(MAX_RECORDS_PER_STEP);
    expect(recordsKept({ ...rule, steps: [{ id: 'a', ruleId: 'A', minMatchCount: 1 }, rule.steps[1]!] }, 0)).toBe(2);
  });

  it('records a batch in order, each addition with the findings it completed then', () => {
    const record = (eventId: string, minute: number) => ({ eventId, time: minute * 60 });
    const result = recordSteps(rule, emptyCorrelationState(2), 'alice', [
      { stepIndex: FAIL, record: record('f1', 0) },
      { stepIndex: FAIL, record: record('f2', 1) },
      { stepIndex: OK, record: record('s1', 2) },
      { stepIndex: FAIL, record: record('f3', 1) },
      { stepIndex: FAIL, record: record('f3', 1) },
    ]);
    expect(result.changed).toBe(true);
    expect(result.findings.map(({ addition, finding }) => [addition, finding.trigger.eventId])).toEqual([
      [3, 's1'],
      [4, 's1'],
    ]);
    const again = recordSteps(rule, result.state, 'alice', [{ stepIndex: FAIL, record: record('f3', 1) }]);
    expect(again).toMatchObject({ changed: false, state: result.state });
  });

  it('counts a match exactly one lookback before the last step, and not one second earlier', () => {
    const at = (time: number, id: string): [number, string, number] => [FAIL, id, time / 60];
    expect(feed([at(0, 'f1'), at(60, 'f2'), at(120, 'f3'), [OK, 's1', 10]]).fired).toEqual(['s1']);
    const late = feed([at(1, 'f1'), at(60, 'f2'), at(120, 'f3'), [OK, 's1', 10 + 1 / 30]]).fired;
    expect(late).toEqual([]);
  });

  it('orders matches of the same second by event id, so the cap keeps the same ones whatever the order of arrival', () => {
    let forward = emptyCorrelationState(2);
    let backward = emptyCorrelationState(2);
    const names = Array.from({ length: 8 }, (_, i) => `f${i}`);
    for (const id of names) forward = recordStep(rule, forward, FAIL, { eventId: id, time: 0 }).state;
    for (const id of [...names].reverse()) backward = recordStep(rule, backward, FAIL, { eventId: id, time: 0 }).state;
    expect(forward.steps[FAIL]?.map((r) => r.eventId)).toEqual(['f0', 'f1', 'f2', 'f5', 'f6', 'f7']);
    expect(backward).toEqual(forward);
  });

  it('finds nothing again for an earlier step that arrives after the last step, or before its lookback', () => {
    const record = (eventId: string, minute: number) => ({ eventId, time: minute * 60 });
    const complete = recordSteps(rule, emptyCorrelationState(2), 'alice', [
      { stepIndex: FAIL, record: record('f1', 0) },
      { stepIndex: FAIL, record: record('f2', 1) },
      { stepIndex: FAIL, record: record('f3', 2) },
      { stepIndex: OK, record: record('s1', 5) },
    ]);
    expect(complete.findings.map(({ finding }) => finding.trigger.eventId)).toEqual(['s1']);
    const after = recordSteps(rule, complete.state, 'alice', [
      { stepIndex: FAIL, record: record('f4', 6) },
      { stepIndex: FAIL, record: record('f0', -6) },
    ]);
    expect(after).toMatchObject({ changed: true, findings: [] });
  });

  it('counts for a success only the failures at or before it, whichever arrived first', () => {
    // Failures after the success, delivered first, then the success: not a brute force that succeeded.
    expect(
      feed([
        [FAIL, 'f5', 5],
        [FAIL, 'f6', 6],
        [FAIL, 'f7', 7],
        [OK, 's4', 4],
      ]).fired,
    ).toEqual([]);
  });

  it("finds, for a success, only that success's finding, even when an earlier-in-time success is complete too", () => {
    const { fired } = feed([
      [FAIL, 'f1', 0],
      [FAIL, 'f2', 1],
      [FAIL, 'f3', 2],
      [OK, 's5', 5],
      [OK, 's4', 4],
    ]);
    expect(fired).toEqual(['s5', 's4']);
  });

  it('completes a success with a late failure of the same second, or exactly one lookback before it', () => {
    expect(
      feed([
        [FAIL, 'f1', 0],
        [FAIL, 'f2', 1],
        [OK, 's1', 5],
        [FAIL, 'f3', 5],
      ]).fired,
    ).toEqual(['s1']);
    expect(
      feed([
        [FAIL, 'f2', 1],
        [FAIL, 'f3', 2],
        [OK, 's1', 10],
        [FAIL, 'f0', 0],
      ]).fired,
    ).toEqual(['s1']);
  });

  it('names every step in a finding, the last with its trigger', () => {
    const { state } = feed([
      [FAIL, 'f1', 0],
      [FAIL, 'f2', 1],
      [FAIL, 'f3', 2],
    ]);
    const trigger = { eventId: 's1', time: 300 };
    const next = recordStep(rule, state, OK, trigger).state;
    expect(correlationFindings(rule, next, 'alice', OK, trigger)).toEqual([
      {
        ruleId: 'Brute',
        key: 'alice',
        trigger,
        lookbackMinutes: 10,
        steps: [
          { id: 'failures', ruleId: 'Failed', records: next.steps[FAIL] },
          { id: 'success', ruleId: 'Succeeded', records: [trigger] },
        ],
      },
    ]);
  });

  it('prunes records older than the lookback plus the late-arrival allowance before the newest', () => {
    let state = emptyCorrelationState(2);
    state = recordStep(rule, state, FAIL, { eventId: 'old', time: 0 }).state;
    state = recordStep(rule, state, FAIL, { eventId: 'kept', time: 1 }).state;
    state = recordStep(rule, state, OK, { eventId: 'new', time: 1 + 600 + LATE_ARRIVAL_SECONDS }).state;
    expect(state.steps[FAIL]?.map((r) => r.eventId)).toEqual(['kept']);
  });

  it('rejects a step the rule does not have', () => {
    expect(() => recordStep(rule, emptyCorrelationState(2), 5, { eventId: 'x', time: 0 })).toThrow(
      'Brute has no step 5',
    );
  });

  it('lists in a finding only the matches held within the lookback before its trigger', () => {
    const { state } = feed([
      [FAIL, 'old', 0],
      [FAIL, 'f1', 20],
      [FAIL, 'f2', 21],
      [FAIL, 'f3', 22],
      [FAIL, 'after', 26],
    ]);
    const trigger = { eventId: 's', time: 25 * 60 };
    const [finding] = correlationFindings(rule, recordStep(rule, state, OK, trigger).state, 'alice', OK, trigger);
    expect(finding?.steps[FAIL]?.records.map((r) => r.eventId)).toEqual(['f1', 'f2', 'f3']);
  });

  it('adds what a match completes even when it is not kept, and nothing for a match without a time or older than the horizon', () => {
    let state = emptyCorrelationState(2);
    for (const [id, minute] of [
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['y', 30],
      ['z', 31],
      ['w', 32],
    ] as const)
      state = recordStep(rule, state, FAIL, { eventId: id, time: minute * 60 }).state;
    // Any three within 10 minutes complete from the newest of them to the oldest plus 10 minutes.
    expect(state.covered).toEqual([
      [
        [2 * 60, 10 * 60],
        [32 * 60, 40 * 60],
      ],
    ]);
    // m, between the oldest three and the newest three, is dropped at once; with y and z it
    // completes from 31 minutes, which stays.
    const middle = recordStep(rule, state, FAIL, { eventId: 'm', time: 25 * 60 });
    expect(middle.added).toBe(true);
    expect(middle.state.steps[FAIL]).toEqual(state.steps[FAIL]);
    expect(middle.state.covered).toEqual([
      [
        [2 * 60, 10 * 60],
        [31 * 60, 40 * 60],
      ],
    ]);
    expect(recordStep(rule, middle.state, FAIL, { eventId: 'm', time: 25 * 60 })).toEqual({
      state: middle.state,
      added: false,
    });
    expect(recordStep(rule, state, FAIL, { eventId: 'nan', time: NaN })).toEqual({ state, added: false });
    const horizon = 32 * 60 - 10 * 60 - LATE_ARRIVAL_SECONDS;
    expect(recordStep(rule, state, FAIL, { eventId: 'ancient', time: horizon - 1 })).toEqual({ state, added: false });
    // A trigger at the horizon's edge is kept; one past it prunes the spans that end before it.
    const later = recordStep(rule, state, OK, { eventId: 's', time: 40 * 60 + 10 * 60 + LATE_ARRIVAL_SECONDS + 1 });
    expect(later.state.covered).toEqual([[]]);
    expect(later.state.steps[FAIL]).toEqual([]);
  });

  it('keeps the newest spans, merged when they touch, and changes nothing for a span older than all it keeps', () => {
    expect(
      coveredBy(
        [
          { eventId: 'a', time: 0 },
          { eventId: 'b', time: 10 },
        ],
        1,
        10,
      ),
    ).toEqual([[0, 20]]);
    let state = emptyCorrelationState(2);
    // Bursts of three an hour apart: each completes its own span.
    for (let burst = 1; burst <= MAX_SPANS_PER_STEP + 1; burst++)
      for (let i = 0; i < 3; i++)
        state = recordStep(rule, state, FAIL, { eventId: `b${burst}-${i}`, time: burst * 3600 + i }).state;
    expect(state.covered[FAIL]).toHaveLength(MAX_SPANS_PER_STEP);
    expect(state.covered[FAIL]?.[0]).toEqual([2 * 3600 + 2, 2 * 3600 + 600]);
    // An older burst's span would be dropped as soon as added: no change.
    let old = { state, added: false };
    for (let i = 0; i < 3; i++) old = recordStep(rule, old.state, FAIL, { eventId: `old-${i}`, time: i });
    expect(old.state.covered).toEqual(state.covered);
    expect(correlationRecordCount(state)).toBe(6);
  });
});
