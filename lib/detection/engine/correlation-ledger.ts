import {
  byTime,
  LATE_ARRIVAL_SECONDS,
  MAX_RECORDS_PER_STEP,
  recordStep,
  type CorrelationShape,
  type CorrelationState,
} from './correlation.ts';
import type { StepRecord } from './correlation.ts';

/** The index of the first record (of records in time order) at or after `time`. */
function firstAtOrAfter(records: readonly StepRecord[], time: number): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((records[mid] as StepRecord).time < time) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The state of one correlation rule for one key, kept in memory and changed in place, with the
 * outcomes of {@link recordStep} (the same records kept, in the same order, and the same `added`).
 * `recordStep` is pure because the pipeline writes its result to DynamoDB; in memory that costs a
 * scan of every record for the event id, a copy and a sort of every step on every match, which
 * made the stream evaluator's time per event grow with the records an account has.
 * Here the event ids of each step are in a set and records are cut from the front, so a record
 * costs about the same whatever the state holds.
 *
 * @example
 * ```ts
 * const ledger = new CorrelationLedger(rule);
 * if (ledger.record(1, { eventId: 'e1', time: 1700000000 })) console.log(correlationFindings(rule, ledger.state, key, 1, record));
 * ```
 */
export class CorrelationLedger {
  readonly #rule: CorrelationShape;
  #steps: StepRecord[][];
  #ids: Array<Set<string>>;

  public constructor(rule: CorrelationShape) {
    this.#rule = rule;
    this.#steps = Array.from({ length: rule.steps.length }, (): StepRecord[] => []);
    this.#ids = this.#steps.map(() => new Set());
  }

  /** The records, per step, oldest first: a view, valid until the next {@link record}. */
  public get state(): CorrelationState {
    return { steps: this.#steps };
  }

  /** Records kept, every step together. */
  public get size(): number {
    let size = 0;
    for (const records of this.#steps) size += records.length;
    return size;
  }

  /** The time of the newest record kept, or `-Infinity` when there is none. */
  public get newestTime(): number {
    let newest = Number.NEGATIVE_INFINITY;
    for (const records of this.#steps) newest = Math.max(newest, records[records.length - 1]?.time ?? newest);
    return newest;
  }

  /**
   * Adds a step match, as {@link recordStep} would: `false` when that event is already recorded
   * for the step. A record without a finite time is left to `recordStep` itself. Either way the
   * records stay in time order: `recordStep` sorts them, and a `NaN` time empties the state (its
   * horizon is then `NaN`), which the property test of the two checks.
   */
  public record(stepIndex: number, record: StepRecord): boolean {
    const records = this.#steps[stepIndex];
    const ids = this.#ids[stepIndex];
    if (records === undefined || ids === undefined) throw new RangeError(`${this.#rule.id} has no step ${stepIndex}`);
    if (ids.has(record.eventId)) return false;
    if (!Number.isFinite(record.time)) return this.#recordPurely(stepIndex, record);
    let newest = record.time;
    for (const step of this.#steps) {
      const last = step[step.length - 1];
      if (last !== undefined && last.time > newest) newest = last.time;
    }
    const horizon = newest - this.#rule.lookbackMinutes * 60 - LATE_ARRIVAL_SECONDS;
    for (let index = 0; index < this.#steps.length; index++) {
      const step = this.#steps[index] as StepRecord[];
      const stepIds = this.#ids[index] as Set<string>;
      const from = Math.max(firstAtOrAfter(step, horizon), step.length - MAX_RECORDS_PER_STEP);
      if (index === stepIndex && record.time >= horizon) {
        // After any equal records, as recordStep places it (those before `from` are older than the
        // horizon, and so than the record: the search never passes them).
        let at = step.length;
        while (at > 0 && byTime(step[at - 1] as StepRecord, record) > 0) at--;
        step.splice(at, 0, record);
        stepIds.add(record.eventId);
      }
      const cut = Math.max(from, step.length - MAX_RECORDS_PER_STEP);
      // shift() rather than splice(): V8 moves the array's start instead of its elements.
      for (let k = 0; k < cut; k++) stepIds.delete((step.shift() as StepRecord).eventId);
    }
    return true;
  }

  /** The pure path, for what the in-place one does not cover; the ledger then holds its result. */
  #recordPurely(stepIndex: number, record: StepRecord): boolean {
    const { state, added } = recordStep(this.#rule, this.state, stepIndex, record);
    this.#steps = state.steps.map((records) => [...records]);
    this.#ids = this.#steps.map((records) => new Set(records.map((r) => r.eventId)));
    return added;
  }
}
