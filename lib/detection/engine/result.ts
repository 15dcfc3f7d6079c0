import type { JsonValue } from '../../shared/json.ts';
import type { BaselineValue } from './baseline.ts';
import type { RuleFunctionName, RuleMetadata } from './rule.ts';
import type { Severity } from './severity.ts';

/** What a matching rule produced, after the engine applied Panther's semantics. */
export interface RuleOutput {
  readonly title: string;
  readonly severity: Severity;
  readonly dedup: string;
  readonly alertContext: Readonly<Record<string, JsonValue>>;
  /** The rule's `unique()` value, for thresholds over distinct values; absent without `unique()`. */
  readonly unique?: string;
}

/** A rule function that threw or returned something unusable. */
export interface RuleFunctionFailure {
  readonly function: RuleFunctionName;
  readonly message: string;
}

/**
 * Result of one rule on one event. `errors` on a match lists the functions that failed and were
 * replaced by their defaults; an `error` outcome means the rule could not decide.
 */
export type RuleOutcome =
  | { readonly kind: 'no-match' }
  | { readonly kind: 'match'; readonly output: RuleOutput; readonly errors: readonly RuleFunctionFailure[] }
  | { readonly kind: 'error'; readonly errors: readonly RuleFunctionFailure[] };

/** Identifies the event a match or error belongs to. */
export interface EventIdentity {
  readonly eventId: string | undefined;
  readonly eventType: string | undefined;
  /** Unix seconds, when the event says. */
  readonly eventTime: number | undefined;
}

/** A match of a rule (a single-event rule, a signal, or a correlation's finding) on an event. */
export interface RuleMatch extends EventIdentity, RuleOutput {
  readonly rule: RuleMetadata;
}

/** A rule error: a rule (or the event's normalisation) failed on an event. Never a silent no-match. */
export interface RuleError extends EventIdentity, RuleFunctionFailure {
  readonly ruleId: string;
}

/** A match the rules configuration suppresses: not alerted, but counted and logged. */
export interface SuppressedMatch {
  readonly match: RuleMatch;
  /** Why, e.g. `actor email ci@example.com is suppressed`. */
  readonly reason: string;
}

/**
 * A match of a correlation rule's step for one key: what the caller records in the correlation's
 * state (see `correlation.ts`) before asking which findings it completes.
 */
export interface CorrelationStepMatch extends EventIdentity {
  /** The correlation rule. */
  readonly correlation: RuleMetadata;
  readonly stepIndex: number;
  readonly key: string;
  readonly detail?: string;
}

/**
 * An event as a baseline rule sees it: its actor and the values it shows, for the caller to record
 * in the actor's baseline (see `observeBaseline`) and, when one is new, to alert on.
 */
export interface BaselineObservation extends EventIdentity {
  /** The baseline rule. */
  readonly baseline: RuleMetadata;
  readonly actor: string;
  /** At least one; a dimension's value masked and at most 200 characters. */
  readonly values: readonly BaselineValue[];
  /** Whether a new value alerts: the event is of one of the rule's event types and its `match` accepts it. */
  readonly candidate: boolean;
  /** Set when the rules configuration suppresses the candidate: why (it still teaches the baseline). */
  readonly suppressedBy?: string;
}

/** Everything the catalog found for one event. */
export interface EventEvaluation {
  /** Alert-worthy matches. */
  readonly matches: readonly RuleMatch[];
  /** Matches of signal rules (`createAlert: false`): counted and fed to correlations, never alerted. */
  readonly signals: readonly RuleMatch[];
  /** Matches the rules configuration suppresses. */
  readonly suppressed: readonly SuppressedMatch[];
  /** Step matches of correlation rules, to record in their state. */
  readonly steps: readonly CorrelationStepMatch[];
  /** What baseline rules saw of the event, to record in their state. */
  readonly observations: readonly BaselineObservation[];
  readonly errors: readonly RuleError[];
}

/** A correlation finding run through its rule: the match, and what failed in its functions. */
export interface FindingEvaluation {
  readonly match: RuleMatch;
  readonly errors: readonly RuleError[];
}
