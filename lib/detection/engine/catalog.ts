import { isCorrelationRule, type CorrelationFinding, type CorrelationRule } from './correlation-rule.ts';
import type { CorrelationShape } from './correlate.ts';
import { describeError } from '../../shared/describe-error.ts';
import { CatalogError } from './errors.ts';
import type { LogType } from './log-type.ts';
import type { KnownRule } from './known-rule.ts';
import type {
  CorrelationStepMatch,
  CountedMatch,
  EventEvaluation,
  EventIdentity,
  RuleError,
  RuleMatch,
  RuleOutcome,
  RuleOutput,
  SignalMatch,
  SuppressedMatch,
} from './result.ts';
import type { Rule, RuleMetadata } from './rule.ts';
import {
  compileSuppression,
  type CompiledSuppression,
  type RuleSettings,
  type RulesSettings,
} from './rule-settings.ts';
import { decideRule, matchHead, runRule } from './run-rule.ts';
import type { Severity } from './severity.ts';

const EMPTY_EVALUATION: EventEvaluation = Object.freeze({
  matches: Object.freeze([]),
  signals: Object.freeze([]),
  suppressed: Object.freeze([]),
  steps: Object.freeze([]),
  errors: Object.freeze([]),
});

const UNKNOWN_IDENTITY: EventIdentity = Object.freeze({
  eventId: undefined,
  eventType: undefined,
  eventTime: undefined,
});

/** One rule's result on one raw event, with the event's identity (see {@link RuleCatalog.evaluateRule}). */
export interface SingleRuleEvaluation {
  readonly identity: EventIdentity;
  readonly outcome: RuleOutcome;
}

/** A correlation finding run through its rule: an alert-worthy match, or why it is not one. */
export type FindingEvaluation =
  | { readonly kind: 'match'; readonly match: RuleMatch; readonly errors: readonly RuleError[] }
  | { readonly kind: 'suppressed' | 'no-match' }
  | { readonly kind: 'error'; readonly errors: readonly RuleError[] };

/** A correlation finding as a window counts it (see {@link RuleCatalog.findingHead}). */
export type FindingHead =
  | { readonly kind: 'match'; readonly match: CountedMatch; readonly errors: readonly RuleError[] }
  | { readonly kind: 'no-match' }
  | { readonly kind: 'error'; readonly errors: readonly RuleError[] };

/** What a catalog entry is, as the pipeline and tools need to know it. */
export type RuleKind = 'rule' | 'signal' | 'correlation';

/** A single-event rule with the settings in force. */
interface ActiveRule<E> {
  readonly rule: Rule<E>;
  readonly metadata: RuleMetadata;
  readonly suppression: CompiledSuppression | undefined;
  /** Correlation rules with a step on this rule: [rule, step index]. */
  readonly correlations: ReadonlyArray<readonly [CorrelationRule<E>, number]>;
}

/**
 * Whether some enabled rule can match events of a type (see {@link RuleCatalog.eventTypeScreen}).
 * `wantedTypes`, when present, lists exactly the types it accepts: absent when some rule takes
 * every type.
 */
export interface EventTypeWants {
  (eventType: string): boolean;
  readonly wantedTypes?: readonly string[];
}

interface CompiledLogType {
  evaluate(raw: unknown): EventEvaluation;
  evaluateRule(ruleId: string, raw: unknown): SingleRuleEvaluation;
  /** Whether some enabled rule can match an event of this type (otherwise evaluating it does nothing). */
  readonly wants: EventTypeWants;
  /** Event types some enabled rule lists, by rule id. */
  readonly eventTypes: ReadonlyMap<string, readonly string[]>;
}

function checkMetadata(rule: RuleMetadata, logTypeName: string): void {
  const problems: string[] = [];
  if (!rule.id) problems.push('id is empty');
  if (!rule.logTypes.includes(logTypeName)) problems.push(`logTypes does not include ${logTypeName}`);
  if (!Number.isInteger(rule.threshold) || rule.threshold < 1) problems.push('threshold must be an integer >= 1');
  if (!(rule.dedupPeriodMinutes > 0)) problems.push('dedupPeriodMinutes must be > 0');
  if (problems.length > 0) throw new CatalogError(`rule ${rule.id || '<no id>'}: ${problems.join('; ')}`);
}

function checkCorrelation<E>(rule: CorrelationRule<E>, ruleIds: ReadonlySet<string>): void {
  const problems: string[] = [];
  if (rule.steps.length < 2) problems.push('needs at least two steps');
  for (const step of rule.steps) {
    if (!ruleIds.has(step.ruleId)) problems.push(`step ${step.id} names unknown rule ${step.ruleId}`);
    if (!Number.isInteger(step.minMatchCount) || step.minMatchCount < 1)
      problems.push(`step ${step.id}: minMatchCount must be an integer >= 1`);
  }
  if (!(rule.lookbackMinutes > 0)) problems.push('lookbackMinutes must be > 0');
  if (problems.length > 0) throw new CatalogError(`correlation rule ${rule.id}: ${problems.join('; ')}`);
}

/** The metadata in force: the rule's own, with the configuration's enabled flag and severity. */
function effectiveMetadata<R extends RuleMetadata>(rule: R, settings: RuleSettings | undefined): R {
  if (settings === undefined) return rule;
  return {
    ...rule,
    ...(settings.enabled === undefined ? {} : { enabled: settings.enabled }),
    ...(settings.severity === undefined ? {} : { defaultSeverity: settings.severity }),
  };
}

/**
 * A match of `rule` on the event `identity` names, with its outputs and the severity in force, built
 * field by field: it runs per match, and V8 builds an object literal with a spread property by
 * property through its runtime.
 */
function ruleMatch(identity: EventIdentity, rule: RuleMetadata, output: RuleOutput, severity: Severity): RuleMatch {
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

function isEnabled(rule: RuleMetadata): boolean {
  return rule.enabled !== false;
}

function compile<E>(
  logType: LogType<E>,
  entries: ReadonlyArray<Rule<E> | CorrelationRule<E>>,
  settings: RulesSettings,
): CompiledLogType {
  const singles = entries.filter((entry): entry is Rule<E> => !isCorrelationRule(entry));
  const correlations = entries
    .filter((entry) => isCorrelationRule(entry))
    .filter((rule) => isEnabled(effectiveMetadata(rule, settings[rule.id])));
  const active = new Map<string, ActiveRule<E>>();
  for (const rule of singles) {
    const metadata = effectiveMetadata(rule, settings[rule.id]);
    const suppress = settings[rule.id]?.suppress;
    active.set(rule.id, {
      rule,
      metadata,
      suppression: suppress === undefined ? undefined : compileSuppression(suppress),
      correlations: correlations.flatMap((correlation) =>
        correlation.steps.flatMap((step, index) => (step.ruleId === rule.id ? [[correlation, index] as const] : [])),
      ),
    });
  }
  const enabled = [...active.values()].filter((entry) => isEnabled(entry.metadata));

  // Index by event type once, so that evaluating an event of a type no rule wants is one Map lookup.
  const anyType = enabled.filter((entry) => entry.rule.eventTypes === undefined);
  const byType = new Map<string, ActiveRule<E>[]>();
  for (const entry of enabled) {
    for (const type of entry.rule.eventTypes ?? []) {
      const bucket = byType.get(type) ?? [...anyType];
      if (!bucket.includes(entry)) bucket.push(entry);
      byType.set(type, bucket);
    }
  }

  const candidatesFor = (raw: unknown): readonly ActiveRule<E>[] => {
    const type = logType.eventTypeOf(raw);
    return (type === undefined ? undefined : byType.get(type)) ?? anyType;
  };

  const prepare = (raw: unknown): { event: E; identity: EventIdentity } | { failure: string } => {
    try {
      const event = logType.normalize(raw);
      return { event, identity: logType.identify(event) };
    } catch (error) {
      return { failure: describeError(error) };
    }
  };

  const suppressionReason = (
    entry: ActiveRule<E>,
    event: E,
    errors: RuleError[],
    identity: EventIdentity,
  ): string | undefined => {
    if (entry.suppression === undefined) return undefined;
    try {
      return entry.suppression.reasonFor(logType.subject(event));
    } catch (error) {
      errors.push({
        ...identity,
        ruleId: entry.rule.id,
        function: 'normalize',
        message: `suppression check failed: ${describeError(error)}`,
      });
      return undefined;
    }
  };

  const stepMatches = (
    entry: ActiveRule<E>,
    event: E,
    identity: EventIdentity,
    errors: RuleError[],
  ): CorrelationStepMatch[] => {
    const steps: CorrelationStepMatch[] = [];
    for (const [correlation, stepIndex] of entry.correlations) {
      let key: string | undefined;
      let detail: string | undefined;
      try {
        key = correlation.correlationKey(event);
        detail = correlation.recordDetail?.(event);
      } catch (error) {
        errors.push({ ...identity, ruleId: correlation.id, function: 'correlationKey', message: describeError(error) });
        continue;
      }
      if (typeof key !== 'string' || key === '') continue;
      const step: { -readonly [K in keyof CorrelationStepMatch]: CorrelationStepMatch[K] } = {
        eventId: identity.eventId,
        eventType: identity.eventType,
        eventTime: identity.eventTime,
        correlation: correlationMetadata.get(correlation) ?? correlation,
        stepIndex,
        key,
      };
      if (typeof detail === 'string' && detail !== '') step.detail = detail.slice(0, 200);
      steps.push(step);
    }
    return steps;
  };

  // The metadata in force of each correlation rule, once (not per step match).
  const correlationMetadata = new Map(
    correlations.map((correlation) => [correlation, effectiveMetadata(correlation, settings[correlation.id])] as const),
  );

  const evaluate = (raw: unknown): EventEvaluation => {
    const candidates = candidatesFor(raw);
    if (candidates.length === 0) return EMPTY_EVALUATION;
    const prepared = prepare(raw);
    if ('failure' in prepared) {
      const eventType = logType.eventTypeOf(raw);
      return {
        ...EMPTY_EVALUATION,
        errors: candidates.map((entry) => ({
          ...UNKNOWN_IDENTITY,
          eventType,
          ruleId: entry.rule.id,
          function: 'normalize' as const,
          message: prepared.failure,
        })),
      };
    }
    const { event, identity } = prepared;
    const matches: RuleMatch[] = [];
    const signals: SignalMatch[] = [];
    const suppressed: SuppressedMatch[] = [];
    const steps: CorrelationStepMatch[] = [];
    const errors: RuleError[] = [];
    for (const entry of candidates) {
      // A signal that no setting suppresses needs only its decision and steps (see SignalMatch).
      const decideOnly = entry.metadata.createAlert === false && entry.suppression === undefined;
      const outcome = decideOnly ? decideRule(entry.rule, event) : runRule(entry.rule, event);
      if (outcome === true) {
        signals.push({
          eventId: identity.eventId,
          eventType: identity.eventType,
          eventTime: identity.eventTime,
          rule: entry.metadata,
        });
      } else {
        if (outcome.kind === 'no-match') continue;
        for (const failure of outcome.errors) errors.push({ ...identity, ruleId: entry.rule.id, ...failure });
        if (outcome.kind !== 'match') continue;
        const match = ruleMatch(
          identity,
          entry.metadata,
          outcome.output,
          settings[entry.rule.id]?.severity ?? outcome.output.severity,
        );
        const reason = suppressionReason(entry, event, errors, identity);
        if (reason !== undefined) {
          suppressed.push({ match, reason });
          continue;
        }
        if (entry.metadata.createAlert === false) signals.push(match);
        else matches.push(match);
      }
      if (entry.correlations.length > 0) steps.push(...stepMatches(entry, event, identity, errors));
    }
    if (matches.length + signals.length + suppressed.length + steps.length + errors.length === 0)
      return EMPTY_EVALUATION;
    return { matches, signals, suppressed, steps, errors };
  };

  const evaluateRule = (ruleId: string, raw: unknown): SingleRuleEvaluation => {
    const entry = active.get(ruleId);
    if (!entry) throw new CatalogError(`no single-event rule ${ruleId} for log type ${logType.name}`);
    const type = logType.eventTypeOf(raw);
    const wants = entry.rule.eventTypes === undefined || (type !== undefined && entry.rule.eventTypes.includes(type));
    if (!wants) return { identity: UNKNOWN_IDENTITY, outcome: { kind: 'no-match' } };
    const prepared = prepare(raw);
    if ('failure' in prepared) {
      return {
        identity: UNKNOWN_IDENTITY,
        outcome: { kind: 'error', errors: [{ function: 'normalize', message: prepared.failure }] },
      };
    }
    return { identity: prepared.identity, outcome: runRule(entry.rule, prepared.event) };
  };

  const eventTypes = new Map(enabled.map((entry) => [entry.rule.id, entry.rule.eventTypes ?? []] as const));
  const wanted = (eventType: string): boolean => (byType.get(eventType) ?? anyType).length > 0;
  // The types listed, when that is all a rule can match: a caller may then compare a type's bytes.
  const wants: EventTypeWants =
    anyType.length > 0 ? wanted : Object.assign(wanted, { wantedTypes: Object.freeze([...byType.keys()]) });
  return { evaluate, evaluateRule, eventTypes, wants };
}

/**
 * The one place rules are registered. Evaluating an event runs every enabled rule of its log type
 * that can match its event type; an event of a type no rule wants costs one Map lookup and
 * allocates nothing. The rules configuration ({@link RulesSettings}) turns rules on or off,
 * pins their severity and suppresses matches by actor or source.
 *
 * Besides alert-worthy matches, an evaluation lists the matches of signal rules, the suppressed
 * matches, and the step matches of correlation rules: correlation needs state across events, kept
 * by the caller, which then runs each completed {@link CorrelationFinding} through
 * {@link RuleCatalog.evaluateFinding}.
 *
 * @example
 * ```ts
 * const catalog = new RuleCatalog().register(openAiAuditLogType, [apiKeyRule, loginFailed, bruteForce]);
 * const { matches, signals, steps, errors } = catalog.evaluate('OpenAI.Audit', event);
 * ```
 */
export class RuleCatalog {
  readonly #logTypes = new Map<string, CompiledLogType>();
  readonly #rules = new Map<string, { rule: RuleMetadata; logType: string; kind: RuleKind }>();
  readonly #correlations = new Map<string, CorrelationRule<unknown>>();
  readonly #settings: RulesSettings;

  /** @param settings The rules configuration; rule ids in it must be registered (checked on register). */
  public constructor(settings: RulesSettings = {}) {
    this.#settings = settings;
  }

  /** Adds a log type with all of its rules. Throws {@link CatalogError} on a malformed catalog. */
  public register<E>(logType: LogType<E>, rules: ReadonlyArray<Rule<E> | CorrelationRule<E>>): this {
    if (this.#logTypes.has(logType.name)) throw new CatalogError(`log type ${logType.name} is already registered`);
    const ids = new Set<string>();
    for (const rule of rules) {
      checkMetadata(rule, logType.name);
      if (this.#rules.has(rule.id) || ids.has(rule.id)) throw new CatalogError(`rule ${rule.id} is registered twice`);
      ids.add(rule.id);
    }
    for (const rule of rules) {
      if (isCorrelationRule(rule)) checkCorrelation(rule, ids);
      const metadata = effectiveMetadata<RuleMetadata>(rule, this.#settings[rule.id]);
      let kind: RuleKind = 'rule';
      if (isCorrelationRule(rule)) kind = 'correlation';
      else if (rule.createAlert === false) kind = 'signal';
      this.#rules.set(rule.id, { rule: metadata, logType: logType.name, kind });
      if (isCorrelationRule(rule)) this.#correlations.set(rule.id, rule);
    }
    this.#logTypes.set(logType.name, compile(logType, rules, this.#settings));
    return this;
  }

  /** Metadata of every registered rule (settings applied), in registration order. */
  public get rules(): readonly RuleMetadata[] {
    return [...this.#rules.values()].map((entry) => entry.rule);
  }

  /** Every registered rule as the rules configuration parser needs it: id, kind, default state, steps. */
  public get knownRules(): readonly KnownRule[] {
    return [...this.#rules.entries()].map(([id, entry]) => {
      const correlation = this.#correlations.get(id);
      return {
        id,
        kind: entry.kind,
        enabled: entry.rule.enabled !== false,
        ...(correlation ? { steps: correlation.steps } : {}),
      };
    });
  }

  /** Metadata of one rule (settings applied), or `undefined`. */
  public getRule(ruleId: string): RuleMetadata | undefined {
    return this.#rules.get(ruleId)?.rule;
  }

  /** Whether a rule alerts on single events, is a signal, or correlates others; `undefined` if unknown. */
  public kindOf(ruleId: string): RuleKind | undefined {
    return this.#rules.get(ruleId)?.kind;
  }

  /** Steps and lookback of a correlation rule, for keeping its state. */
  public correlation(ruleId: string): CorrelationShape & RuleMetadata {
    const rule = this.#correlations.get(ruleId);
    if (!rule) throw new CatalogError(`no correlation rule with id ${ruleId}`);
    return effectiveMetadata(rule, this.#settings[ruleId]);
  }

  /**
   * The event types each enabled single-event rule of a log type can match, by rule id (empty for a
   * rule that takes every type): what tests and generators need to exercise every rule.
   */
  public eventTypes(logTypeName: string): ReadonlyMap<string, readonly string[]> {
    return this.#compiled(logTypeName).eventTypes;
  }

  /**
   * Whether evaluating an event of `eventType` (as the log type reads it) could find anything: some
   * enabled rule lists the type, or takes every type. When not, {@link RuleCatalog.evaluate} of such
   * an event returns an empty evaluation without reading the rest of it, so a caller may skip
   * parsing it. The predicate returned is bound to the log type; its `wantedTypes` lists exactly
   * the types it accepts, unless some rule takes every type.
   *
   * @example
   * ```ts
   * const wanted = catalog.eventTypeScreen('OpenAI.Audit');
   * wanted('login.failed');    // true (credential stuffing, the login signal)
   * wanted('project.updated'); // false
   * ```
   */
  public eventTypeScreen(logTypeName: string): EventTypeWants {
    return this.#compiled(logTypeName).wants;
  }

  /** Runs every applicable rule of `logTypeName` on a raw event. Never throws for any event. */
  public evaluate(logTypeName: string, raw: unknown): EventEvaluation {
    return this.#compiled(logTypeName).evaluate(raw);
  }

  /** Runs one single-event rule on a raw event, applying the same event-type filter and normalisation. */
  public evaluateRule(ruleId: string, raw: unknown): SingleRuleEvaluation {
    const entry = this.#rules.get(ruleId);
    if (!entry) throw new CatalogError(`no rule with id ${ruleId}`);
    return this.#compiled(entry.logType).evaluateRule(ruleId, raw);
  }

  /**
   * Runs a correlation rule's functions on a completed finding, with the engine's usual semantics
   * (defaults, truncation, masking, severity from the rules configuration). The match carries the
   * triggering event's id and time. Never throws for any finding.
   */
  public evaluateFinding(finding: CorrelationFinding): FindingEvaluation {
    const { rule, identity } = this.#findingRule(finding);
    const metadata = this.correlation(finding.ruleId);
    const outcome = runRule(rule, finding);
    if (outcome.kind === 'no-match') return { kind: 'no-match' };
    const errors = outcome.errors.map((failure) => ({ ...identity, ruleId: rule.id, ...failure }));
    if (outcome.kind === 'error') return { kind: 'error', errors };
    const { output } = outcome;
    return {
      kind: 'match',
      match: ruleMatch(identity, metadata, output, this.#settings[rule.id]?.severity ?? output.severity),
      errors,
    };
  }

  /**
   * A correlation finding's decision and, on a match, what its dedup window counts it by (rule,
   * trigger, severity with the rules configuration applied, dedup string), without its title and
   * alert context: for `evaluate`, where most findings fall in a window that has already alerted,
   * and only those that alert need {@link RuleCatalog.evaluateFinding}. Errors are those of the
   * functions it runs. Never throws for any finding.
   *
   * @example
   * ```ts
   * const head = catalog.findingHead(finding);
   * if (head.kind === 'match' && windowAlerts(head.match)) alert(catalog.evaluateFinding(finding));
   * ```
   */
  public findingHead(finding: CorrelationFinding): FindingHead {
    const { rule, identity } = this.#findingRule(finding);
    const outcome = matchHead(rule, finding);
    if (outcome.kind === 'no-match') return { kind: 'no-match' };
    const errors = outcome.errors.map((failure) => ({ ...identity, ruleId: rule.id, ...failure }));
    if (outcome.kind === 'error') return { kind: 'error', errors };
    // Written out rather than spread, as ruleMatch is: this runs for every finding (a spread here was
    // about 13% of evaluate's CPU with the whole pack on the shared corpus).
    const match: { -readonly [K in keyof CountedMatch]: CountedMatch[K] } = {
      eventId: identity.eventId,
      eventType: identity.eventType,
      eventTime: identity.eventTime,
      rule: this.correlation(finding.ruleId),
      severity: this.#settings[rule.id]?.severity ?? outcome.head.severity,
      dedup: outcome.head.dedup,
    };
    if (outcome.head.unique !== undefined) match.unique = outcome.head.unique;
    return { kind: 'match', match, errors };
  }

  /** A finding's correlation rule, and the identity its match carries: the triggering event's id and time. */
  #findingRule(finding: CorrelationFinding): { rule: CorrelationRule<unknown>; identity: EventIdentity } {
    const rule = this.#correlations.get(finding.ruleId);
    if (!rule) throw new CatalogError(`no correlation rule with id ${finding.ruleId}`);
    return {
      rule,
      identity: { eventId: finding.trigger.eventId, eventType: undefined, eventTime: finding.trigger.time },
    };
  }

  #compiled(logTypeName: string): CompiledLogType {
    const compiled = this.#logTypes.get(logTypeName);
    if (!compiled) throw new CatalogError(`no log type ${logTypeName} is registered`);
    return compiled;
  }
}
