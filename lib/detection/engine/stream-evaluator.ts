import type { RuleCatalog } from './catalog.ts';
import { correlationFindings, LATE_ARRIVAL_SECONDS } from './correlate.ts';
import { CorrelationLedger } from './correlation-ledger.ts';
import type { CorrelationFinding, StepRecord } from './correlation-rule.ts';
import type {
  CorrelationStepMatch,
  CountedMatch,
  RuleError,
  RuleMatch,
  SignalMatch,
  SuppressedMatch,
} from './result.ts';
import { severityRank, type Severity } from './severity.ts';

/**
 * Most distinct `unique()` values kept per window, as the pipeline's dedup windows keep them. A rule
 * with `unique()` alerts when its window holds `threshold` distinct values, so no more than
 * `threshold` are ever needed; the pipeline refuses alerting rules with a threshold above 500.
 */
export const MAX_DISTINCT_VALUES_PER_WINDOW = 500;

/** An alert the stream produced: the match that crossed the threshold, or a correlation's finding. */
export interface StreamAlert {
  readonly match: RuleMatch;
  /** Matches counted in the window when the alert was created (a distinct-count rule counts every match too). */
  readonly eventCount: number;
  /** Unix seconds. */
  readonly windowEndsAt: number;
  /** Set when a match more severe than its window's alert was alerted again: the severity it supersedes. */
  readonly escalatedFrom?: Severity;
}

/** What one event did in the stream. */
export interface StreamStep {
  readonly alerts: readonly StreamAlert[];
  /**
   * Matches counted in a window below its threshold (a correlation finding's without its title
   * and alert context, which only an alert needs).
   */
  readonly belowThreshold: readonly CountedMatch[];
  /** Matches that fell in a window that had already alerted (counted, not alerted again); as above. */
  readonly deduplicated: readonly CountedMatch[];
  readonly signals: readonly SignalMatch[];
  readonly suppressed: readonly SuppressedMatch[];
  readonly errors: readonly RuleError[];
}

/** What counting a match in its window did: an alert (with the window's figures), or why not. */
type WindowOutcome =
  | {
      readonly kind: 'alert';
      readonly eventCount: number;
      readonly windowEndsAt: number;
      readonly escalatedFrom: Severity | undefined;
    }
  | { readonly kind: 'below' | 'deduplicated' | 'repeat' };

/** The alert of a match its window alerted. */
function streamAlert(match: RuleMatch, window: Extract<WindowOutcome, { kind: 'alert' }>): StreamAlert {
  const { eventCount, windowEndsAt, escalatedFrom } = window;
  return escalatedFrom === undefined
    ? { match, eventCount, windowEndsAt }
    : { match, eventCount, windowEndsAt, escalatedFrom };
}

/**
 * Event ids counted in a window, kept small: most windows hold one or a few (a string, then an
 * array), a busy one a Set.
 */
type EventIds = string | string[] | Set<string> | undefined;

/** Past this many event ids a window keeps them in a Set. */
const SMALL_ID_LIST = 8;

function hasId(ids: EventIds, id: string): boolean {
  if (ids === undefined) return false;
  if (typeof ids === 'string') return ids === id;
  return Array.isArray(ids) ? ids.includes(id) : ids.has(id);
}

function withId(ids: EventIds, id: string): EventIds {
  if (ids === undefined) return id;
  if (typeof ids === 'string') return [ids, id];
  if (Array.isArray(ids)) {
    // A new array of the exact size: push() would reserve room for 17 more.
    return ids.length < SMALL_ID_LIST ? [...ids, id] : new Set([...ids, id]);
  }
  ids.add(id);
  return ids;
}

interface Window {
  readonly endsAt: number;
  eventIds: EventIds;
  /** Distinct `unique()` values, for rules that count them. */
  values: Set<string> | undefined;
  count: number;
  /** Severity of the window's latest alert, once it has alerted. */
  severity: Severity | undefined;
}

/** Options of a {@link StreamEvaluator}. */
export interface StreamOptions {
  /** Unix seconds, for events without a time. */
  readonly now?: () => number;
  /**
   * Forget state as the deployed tables' TTL does, in event time: a dedup window once every event of
   * the last 65,536 read is `windowTtlSeconds` past its end, a correlation's state for a key once
   * they are all 14 days past its newest record's lookback. On input in time order memory then
   * stays bounded by the TTL's span of events; an event that arrives later than that after its
   * window (older than every event read just before it) is counted afresh, as the pipeline counts
   * it after the TTL. Input in reverse time order forgets nothing. Without it, nothing is forgotten.
   */
  readonly windowTtlSeconds?: number;
  /**
   * Most dedup windows kept, to bound memory whatever the input (a TTL bounds it by a span of event
   * time, not by a size). Past it, the windows that ended longest ago in event time are forgotten
   * early, a quarter of them at a time. A match that then opens a window ending no later than one
   * forgotten may have been counted in it: it is counted in {@link StreamStats.mayDiffer}, since its
   * outcome may not be the pipeline's (an alert again, a threshold counted afresh). Unlimited when
   * absent.
   */
  readonly maxWindows?: number;
  /**
   * Most correlation records kept, every rule and key together. Past it, whole keys are forgotten,
   * those whose newest record is oldest first, until a quarter is free. A step that then starts a
   * key afresh whose lookback reaches back to a forgotten key's newest record is counted in
   * {@link StreamStats.mayDiffer}. Unlimited when absent.
   */
  readonly maxCorrelationRecords?: number;
}

/** What a {@link StreamEvaluator} forgot before the TTL would have, and what that may have changed. */
export interface StreamStats {
  readonly windowsForgotten: number;
  readonly correlationKeysForgotten: number;
  /** Matches and correlation steps whose outcome may differ from the pipeline's (see {@link StreamOptions.maxWindows}). */
  readonly mayDiffer: number;
}

/** Pushes between two sweeps of forgotten state. */
const SWEEP_EVERY = 65_536;

/**
 * Runs the catalog over a stream of events with the pipeline's semantics, in memory: dedup windows
 * (tumbling, in event time, aligned to the rule's dedup period so every consumer places an event in
 * the same window whatever the order of arrival), thresholds over matches or over distinct `unique()`
 * values, escalation (a match more severe than its window's alert is alerted again, once per
 * severity), signals, suppressions and correlation rules. An event redelivered counts once. For the CLI, rule tests, the reference outcomes of the sample events, and as
 * the oracle the pipeline is checked against. Pure but for its own state; no clock unless an event
 * has no time (then `now`).
 *
 * @example
 * ```ts
 * const stream = new StreamEvaluator(catalog, 'OpenAI.Audit', () => Date.now() / 1000);
 * for (const event of events) for (const alert of stream.push(event).alerts) print(alert);
 * ```
 */
export class StreamEvaluator {
  readonly #catalog: RuleCatalog;
  readonly #logType: string;
  readonly #now: () => number;
  readonly #windowTtlSeconds: number | undefined;
  /** Windows by rule id, then by dedup string, then by window number (start / period). */
  readonly #windows = new Map<string, Map<string, Map<number, Window>>>();
  /** Correlation state by rule id, then by key. */
  readonly #correlations = new Map<string, Map<string, CorrelationLedger>>();
  /** The oldest event time among the matches and steps read since the last sweep, for forgetting state. */
  #oldestRecent = Number.POSITIVE_INFINITY;
  #pushes = 0;
  readonly #maxWindows: number;
  readonly #maxCorrelationRecords: number;
  #windowCount = 0;
  #recordCount = 0;
  /** The latest end of a window forgotten early, and the newest record of a key forgotten early. */
  #forgottenWindowsEnd = Number.NEGATIVE_INFINITY;
  #forgottenRecordsNewest = Number.NEGATIVE_INFINITY;
  #stats = { windowsForgotten: 0, correlationKeysForgotten: 0, mayDiffer: 0 };

  /**
   * @param now Unix seconds for events without a time (or the options, {@link StreamOptions}).
   */
  public constructor(catalog: RuleCatalog, logType: string, now: (() => number) | StreamOptions = {}) {
    const options: StreamOptions = typeof now === 'function' ? { now } : now;
    this.#catalog = catalog;
    this.#logType = logType;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#windowTtlSeconds = options.windowTtlSeconds;
    this.#maxWindows = options.maxWindows ?? Number.POSITIVE_INFINITY;
    this.#maxCorrelationRecords = options.maxCorrelationRecords ?? Number.POSITIVE_INFINITY;
  }

  /** What was forgotten early to stay within the limits, and what that may have changed. */
  public get stats(): StreamStats {
    return { ...this.#stats };
  }

  /** Evaluates one raw event and applies windows, thresholds and correlations. */
  public push(raw: unknown): StreamStep {
    if (this.#windowTtlSeconds !== undefined && ++this.#pushes % SWEEP_EVERY === 0)
      this.#forget(this.#windowTtlSeconds);
    const evaluation = this.#catalog.evaluate(this.#logType, raw);
    const alerts: StreamAlert[] = [];
    const belowThreshold: CountedMatch[] = [];
    const deduplicated: CountedMatch[] = [];
    const errors: RuleError[] = [...evaluation.errors];
    for (const match of evaluation.matches) {
      const outcome = this.#count(match);
      if (outcome.kind === 'alert') alerts.push(streamAlert(match, outcome));
      else if (outcome.kind === 'below') belowThreshold.push(match);
      else if (outcome.kind === 'deduplicated') deduplicated.push(match);
    }
    for (const step of evaluation.steps) {
      for (const finding of this.#correlate(step)) {
        // Most findings fall in a window that has already alerted: counted by their head, and
        // only one that alerts is built whole (its title and alert context, by the same rule
        // functions, which are pure; its errors then include the head's).
        const head = this.#catalog.findingHead(finding);
        if (head.kind === 'error') errors.push(...head.errors);
        if (head.kind !== 'match') continue;
        const outcome = this.#count(head.match);
        if (outcome.kind === 'alert') {
          const whole = this.#catalog.evaluateFinding(finding);
          if (whole.kind === 'match') alerts.push(streamAlert(whole.match, outcome));
          if (whole.kind === 'match' || whole.kind === 'error') errors.push(...whole.errors);
          continue;
        }
        errors.push(...head.errors);
        if (outcome.kind === 'below') belowThreshold.push(head.match);
        else if (outcome.kind === 'deduplicated') deduplicated.push(head.match);
      }
    }
    return {
      alerts,
      belowThreshold,
      deduplicated,
      signals: evaluation.signals,
      suppressed: evaluation.suppressed,
      errors,
    };
  }

  #time(eventTime: number | undefined): number {
    if (eventTime !== undefined && Number.isFinite(eventTime)) {
      const time = Math.floor(eventTime);
      if (time < this.#oldestRecent) this.#oldestRecent = time;
      return time;
    }
    return this.#now();
  }

  /** Drops what the tables' TTL would have dropped by the newest event time (see {@link StreamOptions}). */
  #forget(windowTtlSeconds: number): void {
    const horizon = this.#oldestRecent;
    this.#oldestRecent = Number.POSITIVE_INFINITY;
    if (horizon === Number.POSITIVE_INFINITY) return;
    this.#dropWindows((window) => window.endsAt + windowTtlSeconds < horizon);
    for (const [id, ledgers] of this.#correlations) {
      const lookback = this.#catalog.correlation(id).lookbackMinutes * 60;
      for (const [key, ledger] of ledgers) {
        if (ledger.newestTime + lookback + LATE_ARRIVAL_SECONDS >= horizon) continue;
        ledgers.delete(key);
        this.#recordCount -= ledger.size;
      }
    }
  }

  /** Drops the windows `drop` picks; returns how many. */
  #dropWindows(drop: (window: Window) => boolean): number {
    let dropped = 0;
    for (const [ruleId, byDedup] of this.#windows) {
      for (const [dedup, windows] of byDedup) {
        for (const [index, window] of windows) {
          if (!drop(window)) continue;
          windows.delete(index);
          dropped++;
        }
        if (windows.size === 0) byDedup.delete(dedup);
      }
      if (byDedup.size === 0) this.#windows.delete(ruleId);
    }
    this.#windowCount -= dropped;
    return dropped;
  }

  /** The value at or below which every value but the `keep` largest lies (sorts `values`). */
  static #cut(values: Float64Array, keep: number): number {
    values.sort();
    return values[Math.max(0, values.length - keep - 1)] ?? Number.NEGATIVE_INFINITY;
  }

  /** Forgets the windows that ended longest ago, down to three quarters of the limit. */
  #forgetOldestWindows(): void {
    const ends = new Float64Array(this.#windowCount);
    let i = 0;
    for (const byDedup of this.#windows.values())
      for (const windows of byDedup.values()) for (const window of windows.values()) ends[i++] = window.endsAt;
    const cut = StreamEvaluator.#cut(ends, Math.floor((this.#maxWindows * 3) / 4));
    this.#stats.windowsForgotten += this.#dropWindows((window) => window.endsAt <= cut);
    this.#forgottenWindowsEnd = Math.max(this.#forgottenWindowsEnd, cut);
  }

  /** Forgets the keys whose newest record is oldest, until at most three quarters of the limit are kept. */
  #forgetOldestKeys(): void {
    const ledgers = [...this.#correlations.values()].flatMap((byKey) =>
      [...byKey].map(([key, ledger]) => ({ byKey, key, ledger, newest: ledger.newestTime })),
    );
    ledgers.sort((a, b) => a.newest - b.newest);
    const keep = Math.floor((this.#maxCorrelationRecords * 3) / 4);
    for (const { byKey, key, ledger, newest } of ledgers) {
      if (this.#recordCount <= keep) break;
      byKey.delete(key);
      this.#recordCount -= ledger.size;
      this.#stats.correlationKeysForgotten++;
      this.#forgottenRecordsNewest = Math.max(this.#forgottenRecordsNewest, newest);
    }
  }

  #count(match: CountedMatch): WindowOutcome {
    const time = this.#time(match.eventTime);
    const period = Math.max(1, Math.round(match.rule.dedupPeriodMinutes * 60));
    // Windows by their number since the epoch (a small integer, cheaper as a key than a time).
    const index = Math.floor(time / period);
    let byDedup = this.#windows.get(match.rule.id);
    if (byDedup === undefined) {
      byDedup = new Map();
      this.#windows.set(match.rule.id, byDedup);
    }
    let windows = byDedup.get(match.dedup);
    if (windows === undefined) {
      windows = new Map();
      byDedup.set(match.dedup, windows);
    }
    let window = windows.get(index);
    if (window === undefined) {
      window = { endsAt: (index + 1) * period, eventIds: undefined, values: undefined, count: 0, severity: undefined };
      if (window.endsAt <= this.#forgottenWindowsEnd) this.#stats.mayDiffer++;
      windows.set(index, window);
      if (++this.#windowCount > this.#maxWindows) this.#forgetOldestWindows();
    }
    const eventId = match.eventId ?? '';
    if (eventId !== '' && hasId(window.eventIds, eventId)) return { kind: 'repeat' };
    if (eventId !== '') window.eventIds = withId(window.eventIds, eventId);
    window.count++;
    if (match.unique !== undefined) {
      window.values ??= new Set();
      if (window.values.size < MAX_DISTINCT_VALUES_PER_WINDOW) window.values.add(match.unique);
    }
    const reached = match.unique === undefined ? window.count : (window.values?.size ?? 0);
    if (window.severity !== undefined) {
      if (severityRank(match.severity) <= severityRank(window.severity)) return { kind: 'deduplicated' };
      const escalatedFrom = window.severity;
      window.severity = match.severity;
      return { kind: 'alert', eventCount: window.count, windowEndsAt: window.endsAt, escalatedFrom };
    }
    if (reached < match.rule.threshold) return { kind: 'below' };
    window.severity = match.severity;
    return { kind: 'alert', eventCount: window.count, windowEndsAt: window.endsAt, escalatedFrom: undefined };
  }

  /** Records a step in its key's ledger; the findings it completes. */
  #correlate(step: CorrelationStepMatch): CorrelationFinding[] {
    const shape = this.#catalog.correlation(step.correlation.id);
    const eventId = step.eventId ?? '';
    const time = this.#time(step.eventTime);
    // Two literal shapes rather than a spread: a spread object is slower to read on every later
    // look at the record (the ledger's search, each finding's filter).
    const record: StepRecord = step.detail === undefined ? { eventId, time } : { eventId, time, detail: step.detail };
    let ledgers = this.#correlations.get(shape.id);
    if (ledgers === undefined) {
      ledgers = new Map();
      this.#correlations.set(shape.id, ledgers);
    }
    let ledger = ledgers.get(step.key);
    if (ledger === undefined) {
      ledger = new CorrelationLedger(shape);
      ledgers.set(step.key, ledger);
      if (record.time - shape.lookbackMinutes * 60 <= this.#forgottenRecordsNewest) this.#stats.mayDiffer++;
    }
    const before = ledger.size;
    ledger.record(step.stepIndex, record);
    this.#recordCount += ledger.size - before;
    if (this.#recordCount > this.#maxCorrelationRecords) this.#forgetOldestKeys();
    return correlationFindings(shape, ledger.state, step.key, step.stepIndex, record);
  }
}
