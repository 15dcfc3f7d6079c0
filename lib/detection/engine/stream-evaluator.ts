import { forgetAfterSeconds, observeBaseline } from './baseline.ts';
import type { RuleCatalog } from './catalog.ts';
import {
  correlationDedup,
  correlationFindings,
  correlationRecordCount,
  emptyCorrelationState,
  recordStep,
  type CorrelationFinding,
  type StepRecord,
} from './correlation.ts';
import type { BaselineObservation, CorrelationStepMatch, RuleError, RuleMatch, SuppressedMatch } from './result.ts';
import type { RuleMetadata } from './rule.ts';
import { severityRank, type Severity } from './severity.ts';
import { addEventId, hasEventId, StreamState, type StreamWindow } from './stream-state.ts';

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
  /** Matches (and correlation findings) counted in a window below its threshold. */
  readonly belowThreshold: number;
  /** Matches (and findings) that fell in a window that had already alerted: counted, not alerted again. */
  readonly deduplicated: number;
  readonly signals: readonly RuleMatch[];
  readonly suppressed: readonly SuppressedMatch[];
  /** Sightings that showed a value new for their actor past its learning period, and were counted (not suppressed). */
  readonly novelties: number;
  /** Correlation findings this event completed (each counted in its window, whatever became of it there). */
  readonly correlations: number;
  readonly errors: readonly RuleError[];
}

/**
 * Told of what the stream remembers, so it can forget some (see `StreamBounds`, which keeps a
 * stream's memory bounded for the CLI).
 */
export interface StreamMemory {
  /** Before each event. */
  beforePush(state: StreamState): void;
  /** The event time of a match or step about to be counted. */
  timeRead(time: number): void;
  /** A dedup window was opened (and is in the state). */
  windowOpened(window: StreamWindow, state: StreamState): void;
  /** A correlation key was started, by a record whose lookback starts at `lookbackStart`. */
  keyOpened(lookbackStart: number): void;
  /** Records were added to the correlation state. */
  recordsAdded(state: StreamState): void;
  /** A baseline was started for an actor, by an event whose values would be forgotten by `forgetStart`. */
  actorOpened(forgetStart: number): void;
  /** A baseline's known values changed. */
  baselineChanged(state: StreamState): void;
}

/** Options of a {@link StreamEvaluator}. */
export interface StreamOptions {
  /** Unix seconds, for events without a time. Default: the clock. */
  readonly now?: () => number;
  /** What to forget, and when; without it nothing is forgotten. */
  readonly memory?: StreamMemory;
}

/** What a window counts of a match (or of a correlation finding, before it is built). */
type Counted = Pick<RuleMatch, 'rule' | 'dedup' | 'severity' | 'eventId' | 'eventTime' | 'unique'>;

/** What counting a match in its window did: an alert (with the window's figures), or why not. */
type WindowOutcome =
  | { readonly kind: 'alert'; readonly window: StreamWindow; readonly escalatedFrom: Severity | undefined }
  | { readonly kind: 'below' | 'deduplicated' | 'repeat' };

function streamAlert(match: RuleMatch, outcome: Extract<WindowOutcome, { kind: 'alert' }>): StreamAlert {
  const { window, escalatedFrom } = outcome;
  const alert = { match, eventCount: window.count, windowEndsAt: window.endsAt };
  return escalatedFrom === undefined ? alert : { ...alert, escalatedFrom };
}

/**
 * Runs the catalog over a stream of events with the pipeline's semantics, in memory: dedup windows
 * (tumbling, in event time, aligned to the rule's dedup period so every consumer places an event in
 * the same window whatever the order of arrival), thresholds over matches or over distinct
 * `unique()` values, escalation (a match more severe than its window's alert is alerted again, once
 * per severity), signals, suppressions, correlation rules and first-seen baselines. An event
 * redelivered counts once (after its window's alert, one the window counted before it). For
 * the CLI, rule tests, the sample events' expected outcomes, and as the oracle the pipeline is
 * checked against. Pure but for its own state; no clock unless an event has no time.
 *
 * @example
 * ```ts
 * const stream = new StreamEvaluator(catalog, 'OpenAI.Audit', { now: () => Date.now() / 1000 });
 * for (const event of events) for (const alert of stream.push(event).alerts) print(alert);
 * ```
 */
export class StreamEvaluator {
  readonly #catalog: RuleCatalog;
  readonly #logType: string;
  readonly #now: () => number;
  readonly #memory: StreamMemory | undefined;
  readonly #state = new StreamState();

  public constructor(catalog: RuleCatalog, logType: string, options: StreamOptions = {}) {
    this.#catalog = catalog;
    this.#logType = logType;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#memory = options.memory;
  }

  /** Evaluates one raw event and applies windows, thresholds and correlations. */
  public push(raw: unknown): StreamStep {
    this.#memory?.beforePush(this.#state);
    const evaluation = this.#catalog.evaluate(this.#logType, raw);
    const alerts: StreamAlert[] = [];
    const errors: RuleError[] = [...evaluation.errors];
    let belowThreshold = 0;
    let deduplicated = 0;
    const tally = (outcome: WindowOutcome): void => {
      if (outcome.kind === 'below') belowThreshold++;
      else if (outcome.kind === 'deduplicated') deduplicated++;
    };
    for (const match of evaluation.matches) {
      const outcome = this.#count(match);
      if (outcome.kind === 'alert') alerts.push(streamAlert(match, outcome));
      else tally(outcome);
    }
    // A finding of a correlation rule that feeds another is that rule's step: recorded in turn.
    let correlations = 0;
    let steps = evaluation.steps;
    for (let next = 0; next < steps.length; next++) {
      for (const finding of this.#correlate(steps[next] as CorrelationStepMatch)) {
        correlations++;
        const fed = this.#catalog.findingSteps(finding);
        if (fed.length > 0) steps = [...steps, ...fed];
        // A finding's window is known without running its rule (its dedup string is per key, its
        // severity static): only one that alerts is built, title and alert context.
        const rule = this.#catalog.getRule(finding.ruleId) as RuleMetadata;
        const dedup = correlationDedup(rule.id, finding.key);
        const { eventId, time } = finding.trigger;
        const outcome = this.#count({ rule, dedup, severity: rule.defaultSeverity, eventId, eventTime: time });
        if (outcome.kind !== 'alert') {
          tally(outcome);
          continue;
        }
        const { match, errors: failures } = this.#catalog.evaluateFinding(finding);
        errors.push(...failures);
        alerts.push(streamAlert(match, outcome));
      }
    }
    let suppressed = evaluation.suppressed;
    let novelties = 0;
    for (const observation of evaluation.observations) {
      const novelty = this.#observe(observation);
      if (novelty === undefined) continue;
      const { match, errors: failures } = this.#catalog.evaluateNovelty(raw, novelty);
      errors.push(...failures);
      if (observation.suppressedBy !== undefined) {
        suppressed = [...suppressed, { match, reason: observation.suppressedBy }];
        continue;
      }
      novelties++;
      const outcome = this.#count(match);
      if (outcome.kind === 'alert') alerts.push(streamAlert(match, outcome));
      else tally(outcome);
    }
    const { signals } = evaluation;
    return { alerts, belowThreshold, deduplicated, signals, suppressed, novelties, correlations, errors };
  }

  /** Records what a baseline saw in its actor's state; what was new, when that may alert. */
  #observe(observation: BaselineObservation) {
    const rule = this.#catalog.baseline(observation.baseline.id);
    const time = this.#time(observation.eventTime);
    const { actor, values } = observation;
    const current = this.#state.baselines.get(rule.id)?.get(actor);
    const eventId = observation.eventId ?? '';
    const observed = observeBaseline(rule, current?.state, { eventId, time, values });
    if (observed.changed) {
      const forgetSeconds = forgetAfterSeconds(rule);
      if (this.#state.setBaseline(rule.id, actor, { state: observed.state, forgetAfterSeconds: forgetSeconds }))
        this.#memory?.actorOpened(time - forgetSeconds);
      this.#memory?.baselineChanged(this.#state);
    }
    const mayAlert = observation.candidate || observation.suppressedBy !== undefined;
    if (!mayAlert || observed.learning || observed.newValues.length === 0) return undefined;
    return { ruleId: rule.id, actor, newValues: observed.newValues, values };
  }

  #time(eventTime: number | undefined): number {
    if (eventTime !== undefined && Number.isFinite(eventTime)) {
      const time = Math.floor(eventTime);
      this.#memory?.timeRead(time);
      return time;
    }
    return this.#now();
  }

  #count(match: Counted): WindowOutcome {
    const time = this.#time(match.eventTime);
    const period = Math.max(1, Math.round(match.rule.dedupPeriodMinutes * 60));
    // Windows by their number since the epoch (a small integer, cheaper as a key than a time).
    const index = Math.floor(time / period);
    const { windows: byRule } = this.#state;
    let byDedup = byRule.get(match.rule.id);
    if (byDedup === undefined) {
      byDedup = new Map();
      byRule.set(match.rule.id, byDedup);
    }
    let windows = byDedup.get(match.dedup);
    if (windows === undefined) {
      windows = new Map();
      byDedup.set(match.dedup, windows);
    }
    let window = windows.get(index);
    if (window === undefined) {
      window = { endsAt: (index + 1) * period, eventIds: undefined, values: undefined, count: 0, severity: undefined };
      windows.set(index, window);
      this.#state.windowCount++;
      this.#memory?.windowOpened(window, this.#state);
    }
    const eventId = match.eventId ?? '';
    // As the pipeline's windows: the events counted up to the alert are remembered (thresholds stay
    // exact, and a repeat of one is a repeat), those after it are not: a repeat of one of those is
    // suppressed as any match no more severe.
    if (eventId !== '') {
      if (hasEventId(window, eventId)) return { kind: 'repeat' };
      if (window.severity === undefined) addEventId(window, eventId);
    }
    if (window.severity === undefined && match.unique !== undefined) {
      window.values ??= new Set();
      if (window.values.size < MAX_DISTINCT_VALUES_PER_WINDOW) window.values.add(match.unique);
    }
    window.count++;
    if (window.severity !== undefined) {
      if (severityRank(match.severity) <= severityRank(window.severity)) return { kind: 'deduplicated' };
      const escalatedFrom = window.severity;
      window.severity = match.severity;
      return { kind: 'alert', window, escalatedFrom };
    }
    const reached = match.unique === undefined ? window.count : (window.values?.size ?? 0);
    if (reached < match.rule.threshold) return { kind: 'below' };
    window.severity = match.severity;
    window.values = undefined;
    return { kind: 'alert', window, escalatedFrom: undefined };
  }

  /** Records a step in its key's state; the findings it completes. */
  #correlate(step: CorrelationStepMatch): CorrelationFinding[] {
    const rule = this.#catalog.correlation(step.correlation.id);
    const time = this.#time(step.eventTime);
    const eventId = step.eventId ?? '';
    // Two literal shapes, not a spread: a record is read again by every later finding of its key.
    const record: StepRecord = step.detail === undefined ? { eventId, time } : { eventId, time, detail: step.detail };
    let byKey = this.#state.keys.get(rule.id);
    if (byKey === undefined) {
      byKey = new Map();
      this.#state.keys.set(rule.id, byKey);
    }
    let entry = byKey.get(step.key);
    if (entry === undefined) {
      entry = { state: emptyCorrelationState(rule.steps.length), lookbackSeconds: rule.lookbackMinutes * 60 };
      byKey.set(step.key, entry);
      this.#memory?.keyOpened(record.time - entry.lookbackSeconds);
    }
    const before = correlationRecordCount(entry.state);
    entry.state = recordStep(rule, entry.state, step.stepIndex, record).state;
    this.#state.recordCount += correlationRecordCount(entry.state) - before;
    this.#memory?.recordsAdded(this.#state);
    return correlationFindings(rule, entry.state, step.key, step.stepIndex, record);
  }
}
