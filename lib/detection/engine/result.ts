import type { JsonValue } from '../../shared/json.ts';
import type { RuleFunctionName, RuleMetadata } from './rule.ts';
import type { Severity } from './severity.ts';

/** What a matching rule produced for one event, after the engine applied Panther's semantics. */
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
 * Result of one rule on one event. `errors` on a match lists the auxiliary functions that failed
 * and were replaced by their defaults; an `error` outcome means the rule could not decide.
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

/** What a dedup window counts a match by, apart from its event (see `matchHead`). */
export interface MatchHead {
  readonly severity: Severity;
  readonly dedup: string;
  /** The rule's `unique()` value, for thresholds over distinct values; absent without `unique()`. */
  readonly unique?: string;
}

/** A match as a dedup window counts it: a {@link RuleMatch} without its title and alert context. */
export interface CountedMatch extends EventIdentity, MatchHead {
  readonly rule: RuleMetadata;
}

/** An alert-worthy match of a rule on an event. */
export interface RuleMatch extends EventIdentity, RuleOutput {
  readonly rule: RuleMetadata;
}

/**
 * A signal rule's match (`createAlert: false`): which rule matched which event. A signal is
 * counted and feeds correlations through its steps; nothing reads its title, dedup string or
 * alert context, so the catalog does not build them (a signal the rules configuration suppresses
 * is a full {@link RuleMatch}, its reason logged; `test` and `evaluateRule` build every output).
 */
export interface SignalMatch extends EventIdentity {
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
 * state (see `correlate.ts`) before asking which findings it completes.
 */
export interface CorrelationStepMatch extends EventIdentity {
  /** The correlation rule. */
  readonly correlation: RuleMetadata;
  readonly stepIndex: number;
  readonly key: string;
  readonly detail?: string;
}

/** Everything the catalog found for one event. */
export interface EventEvaluation {
  /** Alert-worthy matches. */
  readonly matches: readonly RuleMatch[];
  /** Matches of signal rules (`createAlert: false`): recorded and counted, never alerted. */
  readonly signals: readonly SignalMatch[];
  /** Matches the rules configuration suppresses. */
  readonly suppressed: readonly SuppressedMatch[];
  /** Step matches of correlation rules, to record in their state. */
  readonly steps: readonly CorrelationStepMatch[];
  readonly errors: readonly RuleError[];
}
