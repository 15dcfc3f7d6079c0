import type { JsonValue } from '../../shared/json.ts';
import { copyJsonObject } from '../../shared/json-copy.ts';
import { SECRET_MARK, maskSecrets } from '../../shared/mask-secrets.ts';
import { DEFAULT_DEDUP_PREFIX, MAX_ALERT_CONTEXT_JSON_LENGTH, SEVERITY_DEFAULT_KEYWORD } from './constants.ts';
import { describeError, typeName } from '../../shared/describe-error.ts';
import type { MatchHead, RuleFunctionFailure, RuleOutcome, RuleOutput } from './result.ts';
import type { Rule, RuleFunctionName } from './rule.ts';
import { SEVERITIES, parseSeverity, type Severity } from './severity.ts';
import { truncateOutput } from './truncate.ts';

const NO_MATCH = Object.freeze({ kind: 'no-match' } as const);

type Attempt<T> = { ok: true; value: T } | { ok: false; failure: RuleFunctionFailure };

function attempt<T>(name: RuleFunctionName, fn: () => T): Attempt<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, failure: { function: name, message: describeError(error) } };
  }
}

function resolveTitle<E>(rule: Rule<E>, event: E, errors: RuleFunctionFailure[]): string {
  const fallback = rule.displayName || rule.id;
  if (!rule.title) return truncateOutput(fallback);
  const result = attempt('title', () => rule.title?.(event));
  if (!result.ok) {
    errors.push(result.failure);
    return truncateOutput(fallback);
  }
  if (typeof result.value !== 'string') {
    errors.push({ function: 'title', message: `title() returned ${typeName(result.value)}, expected a string` });
    return truncateOutput(fallback);
  }
  return truncateOutput(maskSecrets(result.value === '' ? fallback : result.value));
}

function resolveSeverity<E>(rule: Rule<E>, event: E, errors: RuleFunctionFailure[]): Severity {
  if (!rule.severity) return rule.defaultSeverity;
  const result = attempt('severity', () => rule.severity?.(event));
  if (!result.ok) {
    errors.push(result.failure);
    return rule.defaultSeverity;
  }
  const value = result.value;
  if (typeof value === 'string' && value.toUpperCase() === SEVERITY_DEFAULT_KEYWORD) return rule.defaultSeverity;
  const severity = parseSeverity(value);
  if (severity) return severity;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeName(value);
  errors.push({
    function: 'severity',
    message: `severity() returned ${shown}, expected one of ${SEVERITIES.join(', ')} or ${SEVERITY_DEFAULT_KEYWORD}`,
  });
  return rule.defaultSeverity;
}

function resolveDedup<E>(rule: Rule<E>, event: E, title: string, errors: RuleFunctionFailure[]): string {
  const fallback = DEFAULT_DEDUP_PREFIX + rule.id;
  let dedup: string = title;
  if (rule.dedup) {
    const result = attempt('dedup', () => rule.dedup?.(event));
    if (!result.ok) {
      errors.push(result.failure);
      return fallback;
    }
    if (typeof result.value !== 'string') {
      errors.push({ function: 'dedup', message: `dedup() returned ${typeName(result.value)}, expected a string` });
      return fallback;
    }
    dedup = result.value;
  }
  return dedup === '' ? fallback : truncateOutput(dedup);
}

function resolveAlertContext<E>(rule: Rule<E>, event: E, errors: RuleFunctionFailure[]): Record<string, JsonValue> {
  if (!rule.alertContext) return {};
  const fail = (message: string): Record<string, JsonValue> => {
    errors.push({ function: 'alertContext', message });
    return { _error: message };
  };
  const result = attempt('alertContext', () => rule.alertContext?.(event));
  if (!result.ok) return fail(result.failure.message);
  const context: unknown = result.value;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    return fail(`alertContext() returned ${typeName(context)}, expected an object`);
  }
  // A plain-JSON copy that shares nothing with the event (no prototypes, no undefined, no
  // functions), with secrets an event carries (a key pasted into a name or user agent) masked: made
  // directly when the context is plain data of a bounded size, as it is for every rule here.
  const copy = attempt('alertContext', () => copyJsonObject(context, MAX_ALERT_CONTEXT_JSON_LENGTH, maskSecrets));
  if (copy.ok && copy.value !== undefined) return copy.value;
  // Otherwise serialising both measures the context and makes the copy.
  const json = attempt('alertContext', () => JSON.stringify(context));
  if (!json.ok) return fail(`alertContext() is not serialisable as JSON: ${json.failure.message}`);
  if (json.value.length > MAX_ALERT_CONTEXT_JSON_LENGTH) {
    return {
      _error: `alert context is ${json.value.length} characters of JSON, over the limit of ${MAX_ALERT_CONTEXT_JSON_LENGTH}; dropped`,
    };
  }
  // Secrets an event carries (a key pasted into a name or user agent) never reach an alert. A key
  // is `sk-` and letters, digits, `-` and `_`, none of which JSON escapes: a text without `sk-`
  // holds no string to mask, and is copied without the (costly) masking reviver.
  if (!json.value.includes(SECRET_MARK)) return JSON.parse(json.value) as Record<string, JsonValue>;
  return JSON.parse(json.value, (_key, value: unknown) =>
    typeof value === 'string' ? maskSecrets(value) : value,
  ) as Record<string, JsonValue>;
}

function resolveUnique<E>(rule: Rule<E>, event: E, errors: RuleFunctionFailure[]): string | undefined {
  if (!rule.unique) return undefined;
  const result = attempt('unique', () => rule.unique?.(event));
  if (!result.ok) {
    errors.push(result.failure);
    return undefined;
  }
  if (typeof result.value !== 'string') {
    errors.push({ function: 'unique', message: `unique() returned ${typeName(result.value)}, expected a string` });
    return undefined;
  }
  // Distinct values are kept per window: a bounded length keeps that state bounded too.
  return truncateOutput(result.value);
}

/** A rule's decision alone: `true` on a match, else what {@link runRule} gives. */
export type RuleDecision = true | Exclude<RuleOutcome, { readonly kind: 'match' }>;

/**
 * Only `match()`, read as {@link runRule} reads it (a value other than a boolean is an error), for
 * matches whose title, severity, dedup string and context nothing reads: those of signal rules.
 *
 * @example
 * ```ts
 * decideRule(rule, event); // true, { kind: 'no-match' } or { kind: 'error', errors }
 * ```
 */
export function decideRule<E>(rule: Rule<E>, event: E): RuleDecision {
  const matched = attempt('match', () => rule.match(event));
  if (!matched.ok) return { kind: 'error', errors: [matched.failure] };
  if (matched.value === false) return NO_MATCH;
  if (matched.value !== true) {
    return {
      kind: 'error',
      errors: [{ function: 'match', message: `match() returned ${typeName(matched.value)}, expected a boolean` }],
    };
  }
  return true;
}

/**
 * Runs one rule on one normalised event with Panther's semantics: a title defaulting to the display
 * name, `DEFAULT` and unknown severities falling back to the static severity, 1000-character
 * truncation, the `defaultDedupString:<RuleID>` fallback, and the alert-context checks; and, beyond
 * Panther, API keys masked in the title and the alert context (not in the dedup key, which is
 * internal and must keep keys apart), and the `unique()` value for distinct-count thresholds (when it
 * fails, the match counts as a plain match and the failure is listed). Never throws:
 * a failing `match` gives an `error` outcome, a failing auxiliary function a match with defaults and
 * the failure listed.
 *
 * @example
 * ```ts
 * const outcome = runRule(rule, normalisedEvent);
 * if (outcome.kind === 'match') console.log(outcome.output.title);
 * ```
 */
export function runRule<E>(rule: Rule<E>, event: E): RuleOutcome {
  const decision = decideRule(rule, event);
  if (decision !== true) return decision;
  const errors: RuleFunctionFailure[] = [];
  const title = resolveTitle(rule, event, errors);
  const unique = resolveUnique(rule, event, errors);
  const output: { -readonly [K in keyof RuleOutput]: RuleOutput[K] } = {
    title,
    severity: resolveSeverity(rule, event, errors),
    dedup: resolveDedup(rule, event, title, errors),
    alertContext: resolveAlertContext(rule, event, errors),
  };
  if (unique !== undefined) output.unique = unique;
  return { kind: 'match', output, errors };
}

/** {@link matchHead}'s answer: a rule's decision and, on a match, what a window counts it by. */
export type MatchHeadOutcome =
  | Exclude<RuleOutcome, { readonly kind: 'match' }>
  | { readonly kind: 'match'; readonly head: MatchHead; readonly errors: readonly RuleFunctionFailure[] };

/**
 * A rule's decision and, on a match, only what a dedup window counts it by: its severity, dedup
 * string and `unique()` value, each resolved as {@link runRule} resolves it (the title too, only
 * when the dedup string defaults to it). For matches most of which fall in a window that has
 * already alerted: runRule builds the whole match (title, alert context) of those that alert.
 *
 * @example
 * ```ts
 * const outcome = matchHead(rule, finding);
 * if (outcome.kind === 'match') outcome.head.dedup; // the window's key
 * ```
 */
export function matchHead<E>(rule: Rule<E>, event: E): MatchHeadOutcome {
  const decision = decideRule(rule, event);
  if (decision !== true) return decision;
  const errors: RuleFunctionFailure[] = [];
  const title = rule.dedup ? '' : resolveTitle(rule, event, errors);
  const unique = resolveUnique(rule, event, errors);
  const head: { -readonly [K in keyof MatchHead]: MatchHead[K] } = {
    severity: resolveSeverity(rule, event, errors),
    dedup: resolveDedup(rule, event, title, errors),
  };
  if (unique !== undefined) head.unique = unique;
  return { kind: 'match', head, errors };
}
