import type { RuleCatalog } from './catalog.ts';
import { correlationFindings, emptyCorrelationState, recordStep, type CorrelationState } from './correlate.ts';
import type { CorrelationStepMatch, RuleError, RuleMatch, SuppressedMatch } from './result.ts';
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
  /** Matches counted in a window below its threshold. */
  readonly belowThreshold: readonly RuleMatch[];
  /** Matches that fell in a window that had already alerted (counted, not alerted again). */
  readonly deduplicated: readonly RuleMatch[];
  readonly signals: readonly RuleMatch[];
  readonly suppressed: readonly SuppressedMatch[];
  readonly errors: readonly RuleError[];
}

interface Window {
  readonly endsAt: number;
  readonly eventIds: Set<string>;
  readonly values: Set<string>;
  count: number;
  /** Severity of the window's latest alert, once it has alerted. */
  severity: Severity | undefined;
}

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
  readonly #windows = new Map<string, Window>();
  readonly #correlations = new Map<string, CorrelationState>();

  public constructor(catalog: RuleCatalog, logType: string, now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.#catalog = catalog;
    this.#logType = logType;
    this.#now = now;
  }

  /** Evaluates one raw event and applies windows, thresholds and correlations. */
  public push(raw: unknown): StreamStep {
    const evaluation = this.#catalog.evaluate(this.#logType, raw);
    const alerts: StreamAlert[] = [];
    const belowThreshold: RuleMatch[] = [];
    const deduplicated: RuleMatch[] = [];
    const errors: RuleError[] = [...evaluation.errors];
    const count = (match: RuleMatch): void => {
      const outcome = this.#count(match);
      if (outcome.kind === 'alert') alerts.push(outcome.alert);
      else if (outcome.kind === 'below') belowThreshold.push(match);
      else if (outcome.kind === 'deduplicated') deduplicated.push(match);
    };
    for (const match of evaluation.matches) count(match);
    for (const step of evaluation.steps) {
      for (const match of this.#correlate(step, errors)) count(match);
    }
    return { alerts, belowThreshold, deduplicated, signals: evaluation.signals, suppressed: evaluation.suppressed, errors };
  }

  #time(eventTime: number | undefined): number {
    return eventTime !== undefined && Number.isFinite(eventTime) ? Math.floor(eventTime) : this.#now();
  }

  #count(match: RuleMatch): { kind: 'alert'; alert: StreamAlert } | { kind: 'below' | 'deduplicated' | 'repeat' } {
    const time = this.#time(match.eventTime);
    const period = Math.max(1, Math.round(match.rule.dedupPeriodMinutes * 60));
    const startsAt = Math.floor(time / period) * period;
    const key = `${match.rule.id}\u0000${match.dedup}\u0000${startsAt}`;
    let window = this.#windows.get(key);
    if (window === undefined) {
      window = { endsAt: startsAt + period, eventIds: new Set(), values: new Set(), count: 0, severity: undefined };
      this.#windows.set(key, window);
    }
    const eventId = match.eventId ?? '';
    if (eventId !== '' && window.eventIds.has(eventId)) return { kind: 'repeat' };
    if (eventId !== '') window.eventIds.add(eventId);
    window.count++;
    if (match.unique !== undefined && window.values.size < MAX_DISTINCT_VALUES_PER_WINDOW) window.values.add(match.unique);
    const reached = match.unique === undefined ? window.count : window.values.size;
    if (window.severity !== undefined) {
      if (severityRank(match.severity) <= severityRank(window.severity)) return { kind: 'deduplicated' };
      const escalatedFrom = window.severity;
      window.severity = match.severity;
      return { kind: 'alert', alert: { match, eventCount: window.count, windowEndsAt: window.endsAt, escalatedFrom } };
    }
    if (reached < match.rule.threshold) return { kind: 'below' };
    window.severity = match.severity;
    return { kind: 'alert', alert: { match, eventCount: window.count, windowEndsAt: window.endsAt } };
  }

  #correlate(step: CorrelationStepMatch, errors: RuleError[]): RuleMatch[] {
    const shape = this.#catalog.correlation(step.correlation.id);
    const key = `${shape.id}\u0000${step.key}`;
    const record = { eventId: step.eventId ?? '', time: this.#time(step.eventTime), ...(step.detail === undefined ? {} : { detail: step.detail }) };
    const state = recordStep(shape, this.#correlations.get(key) ?? emptyCorrelationState(shape.steps.length), step.stepIndex, record).state;
    this.#correlations.set(key, state);
    const matches: RuleMatch[] = [];
    for (const finding of correlationFindings(shape, state, step.key, step.stepIndex, record)) {
      const result = this.#catalog.evaluateFinding(finding);
      if (result.kind === 'match') {
        matches.push(result.match);
        errors.push(...result.errors);
      } else if (result.kind === 'error') errors.push(...result.errors);
    }
    return matches;
  }
}
