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
  /**
   * Per step, in order, its matches the state still holds within the lookback before the trigger
   * (for the last step: the trigger). The state holds a step's oldest and newest `minMatchCount`,
   * so a step completed by matches since dropped may list fewer than `minMatchCount`.
   */
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
 * Records an earlier step keeps, as a multiple of its `minMatchCount`: its oldest `minMatchCount`
 * and its newest `minMatchCount`. A match is judged with its neighbours among them when it is
 * recorded, and what they complete is kept as {@link CorrelationState.covered}; keeping both ends
 * lets a match that arrives late (older than every newer one) still meet the oldest ones, and a
 * new one the newest. Constant whatever an account's history, so the brute-force rule's state
 * stays about a kilobyte.
 */
export const RECORDS_KEPT_PER_MATCH_NEEDED = 2;

/**
 * Last-step matches kept: those not complete yet, so an earlier step's match that arrives after
 * its trigger still completes it. A complete one is dropped first (its finding was found when it
 * completed), then the oldest.
 */
export const TRIGGERS_KEPT = 6;

/** The most records a step keeps, whatever its `minMatchCount`: the state stays far below DynamoDB's 400 KB item limit. */
export const MAX_RECORDS_PER_STEP = 200;

/**
 * Spans of completed trigger times an earlier step keeps: the newest, once overlapping ones are
 * merged (a burst of failures makes one span, however long).
 */
export const MAX_SPANS_PER_STEP = 4;

/**
 * How many records step `stepIndex` of `rule` keeps: an earlier step its oldest and newest
 * `minMatchCount` ({@link RECORDS_KEPT_PER_MATCH_NEEDED} × `minMatchCount`, at most
 * {@link MAX_RECORDS_PER_STEP}); the last step {@link TRIGGERS_KEPT}.
 *
 * @example
 * ```ts
 * recordsKept(bruteForce, 0); // 10: the five oldest and five newest failed logins
 * recordsKept(bruteForce, 1); // 6
 * ```
 */
export function recordsKept(rule: CorrelationShape, stepIndex: number): number {
  if (stepIndex === rule.steps.length - 1) return TRIGGERS_KEPT;
  const step = rule.steps[stepIndex] as CorrelationStep;
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

/** Unix seconds `[from, to]`, both included. */
export type Span = readonly [from: number, to: number];

/**
 * The state of one correlation rule for one key.
 *
 * `covered` is what makes it exact in little space: for each earlier step, the times at which a
 * last-step match has at least `minMatchCount` of that step's matches within the lookback before
 * it. Each record adds what it completes with its neighbours when it is recorded (`minMatchCount`
 * matches within the lookback complete every time from the newest of them to the oldest plus the
 * lookback), so a record may then be dropped without losing what it completed.
 */
export interface CorrelationState {
  /** Per step, its records kept ({@link recordsKept}), oldest first. */
  readonly steps: ReadonlyArray<readonly StepRecord[]>;
  /** Per earlier step (all but the last), the trigger times it is complete for: disjoint spans, oldest first. */
  readonly covered: ReadonlyArray<readonly Span[]>;
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
  return {
    steps: Array.from({ length: stepCount }, () => []),
    covered: Array.from({ length: Math.max(0, stepCount - 1) }, () => []),
  };
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

/** Whether `time` is in one of `spans`. */
function inSpans(spans: readonly Span[] | undefined, time: number): boolean {
  if (spans === undefined) return false;
  for (const [from, to] of spans) if (from <= time && time <= to) return true;
  return false;
}

/**
 * Whether a last-step match at `time` completes the correlation: every earlier step is covered
 * then.
 *
 * @example
 * ```ts
 * if (isComplete(state, trigger.time)) alert();
 * ```
 */
export function isComplete(state: CorrelationState, time: number): boolean {
  for (const spans of state.covered) if (!inSpans(spans, time)) return false;
  return true;
}

/** `spans` with `span` added, overlapping or touching ones merged. */
function addSpan(spans: readonly Span[], span: Span): readonly Span[] {
  const [from, to] = span;
  let at = 0;
  while (at < spans.length && (spans[at] as Span)[1] < from) at++;
  let end = at;
  let merged: Span = span;
  while (end < spans.length && (spans[end] as Span)[0] <= to) {
    const [a, b] = spans[end] as Span;
    merged = [Math.min(merged[0], a), Math.max(merged[1], b)];
    end++;
  }
  if (end === at + 1 && merged[0] === (spans[at] as Span)[0] && merged[1] === (spans[at] as Span)[1]) return spans;
  return [...spans.slice(0, at), merged, ...spans.slice(end)];
}

/**
 * What the records of one step complete around position `at` (a record just inserted): every run
 * of `need` consecutive records holding it that fits in the lookback covers the trigger times from
 * its newest to its oldest plus the lookback.
 */
function coverAround(
  spans: readonly Span[],
  records: readonly StepRecord[],
  at: number,
  need: number,
  lookback: number,
): readonly Span[] {
  let covered = spans;
  const last = Math.min(at, records.length - need);
  for (let start = Math.max(0, at - need + 1); start <= last; start++) {
    const oldest = (records[start] as StepRecord).time;
    const newest = (records[start + need - 1] as StepRecord).time;
    if (newest - oldest <= lookback) covered = addSpan(covered, [newest, oldest + lookback]);
  }
  return covered;
}

/**
 * The spans every run of `need` consecutive records completes: {@link CorrelationState.covered}
 * for records read without it (an item written before it existed).
 *
 * @example
 * ```ts
 * coveredBy(records, 5, 1800 * 60);
 * ```
 */
export function coveredBy(records: readonly StepRecord[], need: number, lookback: number): readonly Span[] {
  let covered: readonly Span[] = [];
  for (let at = need - 1; at < records.length; at++) covered = coverAround(covered, records, at, need, lookback);
  return covered;
}

/**
 * Adds a step match to the state. Idempotent: an event already recorded for that step changes
 * nothing (`added: false`), so redelivery and replay never count twice; a match judged again
 * (after it was dropped) adds only what it completes with the records kept now, which are other
 * events. Records and spans older than the lookback plus {@link LATE_ARRIVAL_SECONDS} before the
 * newest record are pruned. An earlier step adds what the match completes to its `covered` spans
 * and keeps its oldest and newest `minMatchCount` records; the last step keeps
 * {@link TRIGGERS_KEPT}, complete ones dropped first. Expects each step in time order
 * ({@link byTime}), as it leaves them; steps it does not change are shared with the state given.
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
  const lookback = rule.lookbackMinutes * 60;
  const horizon = newest - lookback - LATE_ARRIVAL_SECONDS;
  if (record.time < horizon) return { state, added: false };
  const from = firstAtOrAfter(current, horizon);
  const inserted = current.slice(from);
  let at = inserted.length;
  while (at > 0 && byTime(inserted[at - 1] as StepRecord, record) > 0) at--;
  inserted.splice(at, 0, record);
  const last = rule.steps.length - 1;
  let covered: CorrelationState['covered'];
  let kept: StepRecord[] = inserted;
  let added: boolean;
  if (stepIndex < last) {
    const need = (rule.steps[stepIndex] as CorrelationStep).minMatchCount;
    const before = pruneSpans(state.covered[stepIndex] ?? [], horizon);
    let spans = coverAround(before, inserted, at, need, lookback);
    if (spans.length > MAX_SPANS_PER_STEP) {
      spans = spans.slice(spans.length - MAX_SPANS_PER_STEP);
      // A span older than every one kept is dropped as soon as it is added: nothing changed.
      if (spans.every((span, index) => span === before[before.length - spans.length + index])) spans = before;
    }
    const side = Math.floor(recordsKept(rule, stepIndex) / 2);
    // Keep both ends: drop the record just past the oldest `side` (the one a new record pushed out).
    if (inserted.length > 2 * side) kept = [...inserted.slice(0, side), ...inserted.slice(inserted.length - side)];
    added = kept.includes(record) || spans !== before;
    covered = state.covered.map((s, index) => (index === stepIndex ? spans : pruneSpans(s, horizon)));
  } else {
    covered = state.covered.map((s) => pruneSpans(s, horizon));
    const done = { steps: state.steps, covered };
    while (kept.length > TRIGGERS_KEPT) {
      const complete = kept.findIndex((r) => isComplete(done, r.time));
      kept.splice(complete === -1 ? 0 : complete, 1);
    }
    added = kept.includes(record);
  }
  if (!added) return { state, added: false };
  const steps = state.steps.map((records, index) => {
    if (index === stepIndex) return kept;
    const expired = firstAtOrAfter(records, horizon);
    return expired === 0 ? records : records.slice(expired);
  });
  return { state: { steps, covered }, added: true };
}

/** `spans` without those that end before `horizon` (the same array when none does). */
function pruneSpans(spans: readonly Span[], horizon: number): readonly Span[] {
  let expired = 0;
  while (expired < spans.length && (spans[expired] as Span)[1] < horizon) expired++;
  return expired === 0 ? spans : spans.slice(expired);
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
  if (!isComplete(state, trigger.time)) return undefined;
  const from = trigger.time - rule.lookbackMinutes * 60;
  const last = rule.steps.length - 1;
  const steps: Array<CorrelationFinding['steps'][number]> = [];
  for (let index = 0; index < last; index++) {
    const step = rule.steps[index] as CorrelationStep;
    const records = (state.steps[index] ?? []).filter((r) => r.time >= from && r.time <= trigger.time);
    steps.push({ id: step.id, ruleId: step.ruleId, records });
  }
  const lastStep = rule.steps[last] as CorrelationStep;
  steps.push({ id: lastStep.id, ruleId: lastStep.ruleId, records: [trigger] });
  return { ruleId: rule.id, key, trigger, steps, lookbackMinutes: rule.lookbackMinutes };
}

/**
 * The findings a newly recorded (or redelivered) step match takes part in, from the state that
 * includes it. For a match of the last step: that match, if every earlier step reached its count
 * for the key within the lookback before it ({@link isComplete}). For a match of an earlier step (which may arrive late,
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
