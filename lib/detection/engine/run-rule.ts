import type { JsonValue } from '../../shared/json.ts';
import { copyJsonObject, mappingReviver } from '../../shared/json-copy.ts';
import { SECRET_MARK, maskSecrets } from '../../shared/mask-secrets.ts';
import { quote } from '../../shared/printable.ts';
import { DEFAULT_DEDUP_PREFIX, MAX_ALERT_CONTEXT_JSON_LENGTH, SEVERITY_DEFAULT_KEYWORD } from './constants.ts';
import { describeError, typeName } from '../../shared/describe-error.ts';
import type { RuleFunctionFailure, RuleOutcome, RuleOutput } from './result.ts';
import type { RuleFunctionName, RuleInfo } from './rule.ts';
import { SEVERITIES, parseSeverity, type Severity } from './severity.ts';
import { truncateOutput } from './truncate.ts';

const NO_MATCH = Object.freeze({ kind: 'no-match' } as const);

/**
 * The functions of a rule as the runner calls them, on a subject `S`: an event for single-event
 * rules, a finding for correlation rules. Every one is optional.
 */
export interface RuleFunctions<S> {
  match?(subject: S): boolean;
  title?(subject: S): string;
  severity?(subject: S): string;
  dedup?(subject: S): string;
  alertContext?(subject: S): Record<string, unknown>;
  unique?(subject: S): string;
}

/** What the runner's defaults need of a rule: its id, display name and static severity. */
type Defaults = Pick<RuleInfo, 'id' | 'displayName' | 'defaultSeverity'>;

type Attempt<T> = { ok: true; value: T } | { ok: false; failure: RuleFunctionFailure };

function attempt<T>(name: RuleFunctionName, fn: () => T): Attempt<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, failure: { function: name, message: describeError(error) } };
  }
}

function resolveTitle<E>(rule: RuleFunctions<E> & Defaults, event: E, errors: RuleFunctionFailure[]): string {
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

function resolveSeverity<E>(rule: RuleFunctions<E> & Defaults, event: E, errors: RuleFunctionFailure[]): Severity {
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
  const shown = typeof value === 'string' ? quote(value, 40) : typeName(value);
  errors.push({
    function: 'severity',
    message: `severity() returned ${shown}, expected one of ${SEVERITIES.join(', ')} or ${SEVERITY_DEFAULT_KEYWORD}`,
  });
  return rule.defaultSeverity;
}

function resolveDedup<E>(
  rule: RuleFunctions<E> & Defaults,
  event: E,
  title: string,
  errors: RuleFunctionFailure[],
): string {
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

/** Masks the JSON round trip's copy as copyJsonObject masks its own: strings and member names. */
const MASKING_REVIVER = mappingReviver(maskSecrets);

function resolveAlertContext<E>(
  rule: RuleFunctions<E>,
  event: E,
  errors: RuleFunctionFailure[],
): Record<string, JsonValue> {
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
  return JSON.parse(json.value, MASKING_REVIVER) as Record<string, JsonValue>;
}

function resolveUnique<E>(rule: RuleFunctions<E>, event: E, errors: RuleFunctionFailure[]): string | undefined {
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

/**
 * Runs one rule on one subject (a normalised event, or a correlation finding) with Panther's
 * semantics: a match by default when the rule has no `match`, a title defaulting to the display
 * name, `DEFAULT` and unknown severities falling back to the static severity, 1000-character
 * truncation, the `defaultDedupString:<RuleID>` fallback, and the alert-context checks; and, beyond
 * Panther, API keys masked in the title and the alert context, its member names included (not in
 * the dedup string, which is internal and must keep keys apart; its truncation never cuts through a
 * key, so masking it where it is shown hides a key whole), and the `unique()` value for distinct-count thresholds (when
 * it fails, the match counts as a plain match and the failure is listed). Never throws: a failing
 * `match` gives an `error` outcome, a failing output function a match with its default and the
 * failure listed.
 *
 * @example
 * ```ts
 * const outcome = runRule(rule, normalisedEvent);
 * if (outcome.kind === 'match') console.log(outcome.output.title);
 * ```
 */
export function runRule<S>(rule: RuleFunctions<S> & Defaults, subject: S): RuleOutcome {
  const matched = runMatch(rule, subject);
  if (matched.kind !== 'match') return matched;
  const errors: RuleFunctionFailure[] = [];
  const title = resolveTitle(rule, subject, errors);
  const unique = resolveUnique(rule, subject, errors);
  const output: { -readonly [K in keyof RuleOutput]: RuleOutput[K] } = {
    title,
    severity: resolveSeverity(rule, subject, errors),
    dedup: resolveDedup(rule, subject, title, errors),
    alertContext: resolveAlertContext(rule, subject, errors),
  };
  if (unique !== undefined) output.unique = unique;
  return { kind: 'match', output, errors };
}

/** Whether a rule's `match` accepted a subject (see {@link runMatch}). */
export type MatchOutcome = Exclude<RuleOutcome, { kind: 'match' }> | { readonly kind: 'match' };

const MATCHED = Object.freeze({ kind: 'match' } as const);

/**
 * Runs a rule's `match` alone: a match by default when the rule has none, an `error` outcome when
 * it throws or returns something other than a boolean. Never throws.
 *
 * @example
 * ```ts
 * if (runMatch(rule, event).kind === 'match') candidates.push(event);
 * ```
 */
export function runMatch<S>(rule: Pick<RuleFunctions<S>, 'match'>, subject: S): MatchOutcome {
  if (!rule.match) return MATCHED;
  const matched = attempt('match', () => rule.match?.(subject));
  if (!matched.ok) return { kind: 'error', errors: [matched.failure] };
  if (matched.value === true) return MATCHED;
  if (matched.value === false) return NO_MATCH;
  return {
    kind: 'error',
    errors: [{ function: 'match', message: `match() returned ${typeName(matched.value)}, expected a boolean` }],
  };
}
