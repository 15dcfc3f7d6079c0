import { truncateOutput } from './truncate.ts';
/** One step of a correlation rule: matches of another rule (usually a signal) for the same key. */
export interface CorrelationStep {
  /** The step's name, as Panther's `Detection[].Group[].ID` (e.g. `Multiple Failed Logins`). */
  readonly id: string;
  /** The rule whose matches make this step. */
  readonly ruleId: string;
  /** Matches needed (Panther's `MinMatchCount`). */
  readonly minMatchCount: number;
}

/** A step match kept in a correlation's state: which event, when, and a short detail to show. */
export interface StepRecord {
  readonly eventId: string;
  /** Unix seconds: the event's time, else the time it was processed. */
  readonly time: number;
  /** A short detail shown in the alert (e.g. the source IP), when the rule records one. */
  readonly detail?: string;
}

/**
 * A completed correlation: for `key`, the last step's match (`trigger`) preceded, within the
 * lookback, by at least `minMatchCount` matches of every earlier step.
 */
export interface CorrelationFinding {
  readonly ruleId: string;
  readonly key: string;
  readonly trigger: StepRecord;
  /** Per step, in order, the matches counted for this finding (for the last step: the trigger). */
  readonly steps: ReadonlyArray<{
    readonly id: string;
    readonly ruleId: string;
    readonly records: readonly StepRecord[];
  }>;
  readonly lookbackMinutes: number;
}

/**
 * The dedup string of a correlation rule's alerts for a key: one alert per key and window, as
 * Panther groups a correlation's matches by their match criteria.
 *
 * @example
 * ```ts
 * correlationDedup('OpenAI.BruteForce.Login.Success.Group', 'alice@example.com');
 * // 'OpenAI.BruteForce.Login.Success.Group:alice@example.com'
 * ```
 */
export function correlationDedup(ruleId: string, key: string): string {
  return truncateOutput(`${ruleId}:${key}`);
}

/**
 * Records a step keeps, as a multiple of its `minMatchCount`: enough to decide the step for a new
 * match (which needs its `minMatchCount` newest records), with as many again for matches that
 * arrive out of order. Constant whatever an account's history, so a correlation's state stays
 * under a kilobyte for the brute-force rule (12 records) and one write of it costs 1 WCU.
 */
export const RECORDS_KEPT_PER_MATCH_NEEDED = 2;

/** The most records a step keeps, whatever its `minMatchCount`: the state stays far below DynamoDB's 400 KB item limit. */
export const MAX_RECORDS_PER_STEP = 200;

/**
 * How many records a step keeps: its newest {@link RECORDS_KEPT_PER_MATCH_NEEDED} × `minMatchCount`,
 * at most {@link MAX_RECORDS_PER_STEP}.
 *
 * @example
 * ```ts
 * recordsKept({ id: 'Multiple Failed Logins', ruleId: 'OpenAI.Login.Failed', minMatchCount: 5 }); // 10
 * ```
 */
export function recordsKept(step: CorrelationStep): number {
  return Math.min(MAX_RECORDS_PER_STEP, Math.max(1, RECORDS_KEPT_PER_MATCH_NEEDED * step.minMatchCount));
}

/**
 * How far before the newest record an older one is still kept, beyond the lookback: late and
 * redriven events up to the dead-letter queue's retention (14 days) still correlate.
 */
export const LATE_ARRIVAL_SECONDS = 14 * 24 * 3600;

/** What a correlation rule needs of itself to keep state: its steps and lookback. */
export interface CorrelationShape {
  readonly id: string;
  readonly steps: readonly CorrelationStep[];
  readonly lookbackMinutes: number;
}

/** The state of one correlation rule for one key: per step, its records, oldest first. */
export interface CorrelationState {
  readonly steps: ReadonlyArray<readonly StepRecord[]>;
}

/**
 * An empty state for a rule with `stepCount` steps.
 *
 * @example
 * ```ts
 * let state = emptyCorrelationState(2);
 * ```
 */
export function emptyCorrelationState(stepCount: number): CorrelationState {
  return { steps: Array.from({ length: stepCount }, () => []) };
}

/**
 * The order records are kept in: by time, then by event id.
 *
 * @example
 * ```ts
 * records.sort(byTime);
 * ```
 */
export function byTime(a: StepRecord, b: StepRecord): number {
  return a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/**
 * Adds a step match to the state. Idempotent: an event already recorded for that step changes
 * nothing (`added: false`), so redelivery and replay never count twice. Records older than the
 * lookback plus {@link LATE_ARRIVAL_SECONDS} before the newest are pruned, and each step keeps its
 * {@link recordsKept} newest; a record older than all of those, or without a finite time, is not
 * added. Expects each step in time order ({@link byTime}), as it leaves them; steps it does not
 * change are shared with the state given.
 *
 * @example
 * ```ts
 * const { state: next, added } = recordStep(rule, state, 0, { eventId: 'e1', time: 1700000000 });
 * ```
 */
export function recordStep(
  rule: CorrelationShape,
  state: CorrelationState,
  stepIndex: number,
  record: StepRecord,
): { state: CorrelationState; added: boolean } {
  const current = state.steps[stepIndex];
  if (current === undefined) throw new RangeError(`${rule.id} has no step ${stepIndex}`);
  if (!Number.isFinite(record.time)) return { state, added: false };
  for (const r of current) if (r.eventId === record.eventId) return { state, added: false };
  // Each step is in time order: its newest record is its last.
  let newest = record.time;
  for (const records of state.steps) newest = Math.max(newest, records[records.length - 1]?.time ?? newest);
  const horizon = newest - rule.lookbackMinutes * 60 - LATE_ARRIVAL_SECONDS;
  let at = current.length;
  while (at > 0 && byTime(current[at - 1] as StepRecord, record) > 0) at--;
  const inserted = current.slice();
  inserted.splice(at, 0, record);
  const limit = recordsKept(rule.steps[stepIndex] as CorrelationStep);
  const from = Math.max(firstAtOrAfter(inserted, horizon), inserted.length - limit);
  // A record older than every one the step keeps changes nothing, as a repeat would not.
  if (at < from) return { state, added: false };
  const kept = from === 0 ? inserted : inserted.slice(from);
  const steps = state.steps.map((records, index) => {
    if (index === stepIndex) return kept;
    const expired = firstAtOrAfter(records, horizon);
    return expired === 0 ? records : records.slice(expired);
  });
  return { state: { steps }, added: true };
}

/** The index of the first record (of records in time order) at or after `time`. */
function firstAtOrAfter(records: readonly StepRecord[], time: number): number {
  let index = 0;
  while (index < records.length && (records[index] as StepRecord).time < time) index++;
  return index;
}

/** A step match to record, for {@link recordSteps}. */
export interface StepAddition {
  readonly stepIndex: number;
  readonly record: StepRecord;
}

/** What {@link recordSteps} did: the state after every addition, whether it changed, and the findings. */
export interface StepsRecorded {
  readonly state: CorrelationState;
  readonly changed: boolean;
  /** Per addition (by its index in the list), the findings it took part in when it was recorded. */
  readonly findings: ReadonlyArray<{ readonly addition: number; readonly finding: CorrelationFinding }>;
}

/**
 * Records step matches of one key in the order given, each as {@link recordStep} would, and
 * collects the findings each takes part in right after it is recorded ({@link correlationFindings}):
 * what a stream of those matches would find, one at a time. Pure, so a store can replay a batch's
 * matches onto a newer state when another writer got there first.
 *
 * @example
 * ```ts
 * const { state, changed, findings } = recordSteps(rule, stored, 'alice@example.com', [{ stepIndex: 1, record }]);
 * ```
 */
export function recordSteps(
  rule: CorrelationShape,
  state: CorrelationState,
  key: string,
  additions: readonly StepAddition[],
): StepsRecorded {
  let current = state;
  let changed = false;
  const findings: Array<StepsRecorded['findings'][number]> = [];
  additions.forEach(({ stepIndex, record }, addition) => {
    const next = recordStep(rule, current, stepIndex, record);
    current = next.state;
    changed ||= next.added;
    for (const finding of correlationFindings(rule, current, key, stepIndex, record))
      findings.push({ addition, finding });
  });
  return { state: current, changed, findings };
}

/**
 * Records a state holds, every step together.
 *
 * @example
 * ```ts
 * correlationRecordCount(emptyCorrelationState(2)); // 0
 * ```
 */
export function correlationRecordCount(state: CorrelationState): number {
  let count = 0;
  for (const records of state.steps) count += records.length;
  return count;
}

/**
 * The time of the newest record a state holds, or `-Infinity` when it holds none.
 *
 * @example
 * ```ts
 * newestRecordTime(state) + rule.lookbackMinutes * 60; // when its last finding's lookback ends
 * ```
 */
export function newestRecordTime(state: CorrelationState): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const records of state.steps) for (const record of records) newest = Math.max(newest, record.time);
  return newest;
}

function findingFor(
  rule: CorrelationShape,
  state: CorrelationState,
  key: string,
  trigger: StepRecord,
): CorrelationFinding | undefined {
  const from = trigger.time - rule.lookbackMinutes * 60;
  const last = rule.steps.length - 1;
  const steps: Array<CorrelationFinding['steps'][number]> = [];
  for (let index = 0; index < last; index++) {
    const step = rule.steps[index] as CorrelationStep;
    const records = (state.steps[index] ?? []).filter((r) => r.time >= from && r.time <= trigger.time);
    if (records.length < step.minMatchCount) return undefined;
    steps.push({ id: step.id, ruleId: step.ruleId, records });
  }
  const lastStep = rule.steps[last] as CorrelationStep;
  steps.push({ id: lastStep.id, ruleId: lastStep.ruleId, records: [trigger] });
  return { ruleId: rule.id, key, trigger, steps, lookbackMinutes: rule.lookbackMinutes };
}

/**
 * The findings a newly recorded (or redelivered) step match takes part in, from the state that
 * includes it. For a match of the last step: that match, if every earlier step reached its count
 * for the key within the lookback before it. For a match of an earlier step (which may arrive late,
 * after the last step's match): every last-step match whose lookback covers it and that is now
 * complete. Deterministic, so a redelivery finds the same findings again, and the dedup protocol
 * makes sure each is alerted once.
 *
 * @example
 * ```ts
 * for (const finding of correlationFindings(rule, state, 'alice@example.com', 1, record)) alert(finding);
 * ```
 */
export function correlationFindings(
  rule: CorrelationShape,
  state: CorrelationState,
  key: string,
  stepIndex: number,
  record: StepRecord,
): CorrelationFinding[] {
  const last = rule.steps.length - 1;
  if (stepIndex === last) {
    const finding = findingFor(rule, state, key, record);
    return finding === undefined ? [] : [finding];
  }
  const findings: CorrelationFinding[] = [];
  for (const trigger of state.steps[last] ?? []) {
    if (record.time > trigger.time || trigger.time - record.time > rule.lookbackMinutes * 60) continue;
    const finding = findingFor(rule, state, key, trigger);
    if (finding !== undefined) findings.push(finding);
  }
  return findings;
}
