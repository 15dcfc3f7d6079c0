import { describeError } from '../../shared/describe-error.ts';
import { maskSecrets } from '../../shared/mask-secrets.ts';
import type { CompiledBaseline, CompiledRule } from './compile.ts';
import type { LogType } from './log-type.ts';
import type {
  BaselineObservation,
  CorrelationStepMatch,
  EventEvaluation,
  EventIdentity,
  RuleError,
  RuleMatch,
  RuleOutput,
  SuppressedMatch,
} from './result.ts';
import type { RuleMetadata } from './rule.ts';
import { runMatch, runRule } from './run-rule.ts';
import type { BaselineValue } from './baseline.ts';
import type { Severity } from './severity.ts';

const EMPTY_EVALUATION: EventEvaluation = Object.freeze({
  matches: Object.freeze([]),
  signals: Object.freeze([]),
  suppressed: Object.freeze([]),
  steps: Object.freeze([]),
  observations: Object.freeze([]),
  errors: Object.freeze([]),
});

/** Longest step detail kept (a source IP, typically). */
const MAX_DETAIL_LENGTH = 200;

/** Longest baseline value kept (a user agent, typically): shown in alerts and kept in state. */
const MAX_BASELINE_VALUE_LENGTH = 200;

/**
 * The match of `rule` on the event `identity` names, with its outputs and the severity in force.
 *
 * @example
 * ```ts
 * const match = ruleMatch(identity, entry.metadata, outcome.output, entry.pinnedSeverity ?? outcome.output.severity);
 * ```
 */
export function ruleMatch(
  identity: EventIdentity,
  rule: RuleMetadata,
  output: RuleOutput,
  severity: Severity,
): RuleMatch {
  const match: { -readonly [K in keyof RuleMatch]: RuleMatch[K] } = {
    eventId: identity.eventId,
    eventType: identity.eventType,
    eventTime: identity.eventTime,
    rule,
    title: output.title,
    severity,
    dedup: output.dedup,
    alertContext: output.alertContext,
  };
  if (output.unique !== undefined) match.unique = output.unique;
  return match;
}

/** The correlation steps a matching rule's event takes part in. */
function stepMatches<E>(
  entry: CompiledRule<E>,
  event: E,
  identity: EventIdentity,
  errors: RuleError[],
): CorrelationStepMatch[] {
  const steps: CorrelationStepMatch[] = [];
  for (const { correlation, stepIndex } of entry.feeds) {
    let key: string | undefined;
    let detail: string | undefined;
    try {
      key = correlation.rule.correlationKey(event);
      detail = correlation.rule.recordDetail?.(event);
    } catch (error) {
      errors.push({
        ...identity,
        ruleId: correlation.metadata.id,
        function: 'correlationKey',
        message: describeError(error),
      });
      continue;
    }
    if (typeof key !== 'string' || key === '') continue;
    // Fields written out, not spread: this runs for every login, and V8 copies a spread field by field.
    const step: { -readonly [K in keyof CorrelationStepMatch]: CorrelationStepMatch[K] } = {
      eventId: identity.eventId,
      eventType: identity.eventType,
      eventTime: identity.eventTime,
      correlation: correlation.metadata,
      stepIndex,
      key,
    };
    // Shown in alerts, never compared: masked before it is cut, so a key on the cut is masked whole.
    if (typeof detail === 'string' && detail !== '') step.detail = maskSecrets(detail).slice(0, MAX_DETAIL_LENGTH);
    steps.push(step);
  }
  return steps;
}

/** What one baseline rule sees of an event; `undefined` when the event has no actor or no value for it. */
function observation<E>(
  logType: LogType<E>,
  entry: CompiledBaseline<E>,
  event: E,
  identity: EventIdentity,
  errors: RuleError[],
): BaselineObservation | undefined {
  let actor: string | undefined;
  const values: BaselineValue[] = [];
  try {
    actor = entry.rule.actor(event);
    if (typeof actor !== 'string' || actor === '') return undefined;
    for (const [dimension, read] of entry.dimensions) {
      const value = read(event)?.trim();
      if (typeof value !== 'string' || value === '') continue;
      // Shown in alerts and kept in state: masked before it is cut, so a key on the cut is masked whole.
      values.push({ dimension, value: maskSecrets(value).slice(0, MAX_BASELINE_VALUE_LENGTH) });
    }
  } catch (error) {
    errors.push({ ...identity, ruleId: entry.metadata.id, function: 'baseline', message: describeError(error) });
    return undefined;
  }
  if (values.length === 0) return undefined;
  const type = identity.eventType;
  let candidate = false;
  let suppressedBy: string | undefined;
  if (type !== undefined && entry.triggers.has(type)) {
    const matched = runMatch(entry.rule, event);
    if (matched.kind === 'error')
      for (const failure of matched.errors) errors.push({ ...identity, ruleId: entry.metadata.id, ...failure });
    else if (matched.kind === 'match') {
      try {
        suppressedBy = entry.suppression?.reasonFor(logType.subject(event));
      } catch (error) {
        const message = `suppression check failed: ${describeError(error)}`;
        errors.push({ ...identity, ruleId: entry.metadata.id, function: 'normalize', message });
      }
      candidate = suppressedBy === undefined;
    }
  }
  // Fields written out, not spread: this runs for every event of an actor with a source.
  const seen: { -readonly [K in keyof BaselineObservation]: BaselineObservation[K] } = {
    eventId: identity.eventId,
    eventType: identity.eventType,
    eventTime: identity.eventTime,
    baseline: entry.metadata,
    actor,
    values,
    candidate,
  };
  if (suppressedBy !== undefined) seen.suppressedBy = suppressedBy;
  return seen;
}

/**
 * A raw event normalised for its log type's rules, with its identity; or why it could not be.
 *
 * @example
 * ```ts
 * const prepared = prepareEvent(openAiAuditLogType, raw);
 * if ('failure' in prepared) report(prepared.failure);
 * ```
 */
export function prepareEvent<E>(
  logType: LogType<E>,
  raw: unknown,
): { event: E; identity: EventIdentity } | { failure: string } {
  try {
    const event = logType.normalize(raw);
    return { event, identity: logType.identify(event) };
  } catch (error) {
    return { failure: describeError(error) };
  }
}

/**
 * Runs `rules` (those an event's type dispatches to) on one raw event: normalises it once, runs
 * each rule, applies the rules configuration (pinned severity, suppression), and lists the
 * correlation steps its matches feed; and shows it to every baseline rule (`baselines`: each
 * observes every event of an actor that shows one of its values). Never throws: a failing
 * normalisation is a rule error of every rule it would have run.
 *
 * @example
 * ```ts
 * const { matches, errors } = evaluateEvent(openAiAuditLogType, dispatch.rulesFor(type), raw);
 * ```
 */
export function evaluateEvent<E>(
  logType: LogType<E>,
  rules: readonly CompiledRule<E>[],
  raw: unknown,
  baselines: readonly CompiledBaseline<E>[] = [],
): EventEvaluation {
  if (rules.length === 0 && baselines.length === 0) return EMPTY_EVALUATION;
  const prepared = prepareEvent(logType, raw);
  if ('failure' in prepared) {
    const message = prepared.failure;
    const eventType = logType.eventTypeOf(raw);
    return {
      ...EMPTY_EVALUATION,
      errors: [...rules, ...baselines].map((entry) => ({
        eventId: undefined,
        eventType,
        eventTime: undefined,
        ruleId: entry.metadata.id,
        function: 'normalize' as const,
        message,
      })),
    };
  }
  const { event, identity } = prepared;
  const matches: RuleMatch[] = [];
  const signals: RuleMatch[] = [];
  const suppressed: SuppressedMatch[] = [];
  const steps: CorrelationStepMatch[] = [];
  const errors: RuleError[] = [];
  for (const entry of rules) {
    const outcome = runRule(entry.rule, event);
    if (outcome.kind === 'no-match') continue;
    for (const failure of outcome.errors) errors.push({ ...identity, ruleId: entry.metadata.id, ...failure });
    if (outcome.kind !== 'match') continue;
    const match = ruleMatch(identity, entry.metadata, outcome.output, entry.pinnedSeverity ?? outcome.output.severity);
    let reason: string | undefined;
    try {
      reason = entry.suppression?.reasonFor(logType.subject(event));
    } catch (error) {
      const message = `suppression check failed: ${describeError(error)}`;
      errors.push({ ...identity, ruleId: entry.metadata.id, function: 'normalize', message });
    }
    if (reason !== undefined) {
      suppressed.push({ match, reason });
      continue;
    }
    if (entry.kind === 'signal') signals.push(match);
    else matches.push(match);
    if (entry.feeds.length > 0) steps.push(...stepMatches(entry, event, identity, errors));
  }
  const observations: BaselineObservation[] = [];
  for (const entry of baselines) {
    const seen = observation(logType, entry, event, identity, errors);
    if (seen !== undefined) observations.push(seen);
  }
  if (matches.length + signals.length + suppressed.length + steps.length + observations.length + errors.length === 0)
    return EMPTY_EVALUATION;
  return { matches, signals, suppressed, steps, observations, errors };
}
