import type { JsonValue } from '../../util/json.ts';
import type { RuleFunctionName, RuleMetadata } from './rule.ts';
import type { Severity } from './severity.ts';

/** What a matching rule produced for one event, after the engine applied Panther's semantics. */
export interface RuleOutput {
  readonly title: string;
  readonly severity: Severity;
  readonly dedup: string;
  readonly alertContext: Readonly<Record<string, JsonValue>>;
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

/** An alert-worthy match of a rule on an event. */
export interface RuleMatch extends EventIdentity, RuleOutput {
  readonly rule: RuleMetadata;
}

/** A rule error: a rule (or the event's normalisation) failed on an event. Never a silent no-match. */
export interface RuleError extends EventIdentity, RuleFunctionFailure {
  readonly ruleId: string;
}

/** Everything the catalog found for one event. */
export interface EventEvaluation {
  readonly matches: readonly RuleMatch[];
  readonly errors: readonly RuleError[];
}
