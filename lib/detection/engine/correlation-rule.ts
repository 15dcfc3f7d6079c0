import type { Rule } from './rule.ts';

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
 * A correlation rule: the last of its `steps` matched for a key after every earlier step reached
 * its count for the same key, all within `lookbackMinutes` (Panther's correlation rules, with the
 * order of the last step enforced). Its title, severity, dedup and alert context are functions of
 * the {@link CorrelationFinding}, run with the engine's usual semantics; its `match` may filter
 * findings. The state between events (which steps matched, when) is kept by the caller: in memory
 * for the CLI and tests, in DynamoDB in the pipeline; see `correlate.ts`.
 *
 * @example
 * ```ts
 * const bruteForce: CorrelationRule<AuditEvent> = {
 *   kind: 'correlation', id: 'Example.BruteForce', ..., lookbackMinutes: 30,
 *   steps: [{ id: 'failures', ruleId: 'Example.Login.Failed', minMatchCount: 5 },
 *           { id: 'success', ruleId: 'Example.Login.Success', minMatchCount: 1 }],
 *   correlationKey: (event) => event.actor.email?.toLowerCase(),
 *   match: () => true,
 *   title: (finding) => `Brute force against ${finding.key}`,
 * };
 * ```
 */
export interface CorrelationRule<E> extends Rule<CorrelationFinding> {
  readonly kind: 'correlation';
  /** At least two steps; the last one completes the correlation. */
  readonly steps: readonly CorrelationStep[];
  readonly lookbackMinutes: number;
  /** The value a step's event is correlated on (Panther's `MatchCriteria`); `undefined` leaves it out. */
  correlationKey(event: E): string | undefined;
  /** A short detail to keep with each step match (e.g. its source IP). */
  recordDetail?(event: E): string | undefined;
}

/**
 * Whether a catalog entry is a correlation rule.
 *
 * @example
 * ```ts
 * if (isCorrelationRule(entry)) console.log(entry.steps.length);
 * ```
 */
export function isCorrelationRule<E>(rule: Rule<E> | CorrelationRule<E>): rule is CorrelationRule<E> {
  return (rule as { kind?: string }).kind === 'correlation';
}
