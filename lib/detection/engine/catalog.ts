import { correlationDedup, type CorrelationFinding } from './correlation.ts';
import type { BaselineShape, BaselineValue } from './baseline.ts';
import { compileRules, type AnyCompiledRule, type CompiledBaseline, type CompiledRule } from './compile.ts';
import { EventDispatch } from './dispatch.ts';
import { CatalogError } from './errors.ts';
import { evaluateEvent, prepareEvent, ruleMatch } from './evaluate-event.ts';
import type { KnownRule } from './known-rule.ts';
import type { LogType } from './log-type.ts';
import type { CorrelationStepMatch, EventEvaluation, EventIdentity, FindingEvaluation, RuleOutcome } from './result.ts';
import type { AnyRule, CorrelationRule, RuleMetadata } from './rule.ts';
import type { RulesSettings } from './rule-settings.ts';
import { runRule } from './run-rule.ts';

/** One rule's result on one raw event, with the event's identity (see {@link RuleCatalog.evaluateRule}). */
export interface SingleRuleEvaluation {
  readonly identity: EventIdentity;
  readonly outcome: RuleOutcome;
}

const UNKNOWN_IDENTITY: EventIdentity = Object.freeze({
  eventId: undefined,
  eventType: undefined,
  eventTime: undefined,
});

interface RegisteredLogType {
  readonly logType: LogType<unknown>;
  readonly dispatch: EventDispatch<CompiledRule<unknown>>;
  readonly baselines: readonly CompiledBaseline<unknown>[];
}

/** What was new for an actor in an event a baseline rule observed (see {@link RuleCatalog.evaluateNovelty}). */
export interface Novelty {
  readonly ruleId: string;
  readonly actor: string;
  readonly newValues: readonly BaselineValue[];
  readonly values: readonly BaselineValue[];
}

/**
 * The registered rules, by log type. Evaluating an event runs every enabled rule of its log type
 * whose `eventTypes` include the event's type. The rules configuration ({@link RulesSettings})
 * turns rules on or off, pins their severity and suppresses matches by actor or source.
 *
 * Besides alert-worthy matches, an evaluation lists the matches of signals, the suppressed
 * matches, and the steps of correlation rules: correlation needs state across events, kept by the
 * caller, which runs each completed {@link CorrelationFinding} through {@link RuleCatalog.evaluateFinding}.
 *
 * @example
 * ```ts
 * const catalog = new RuleCatalog(settings).register(openAiAuditLogType, [apiKeyRule, loginFailed, bruteForce]);
 * const { matches, signals, steps, errors } = catalog.evaluate('OpenAI.Audit', event);
 * ```
 */
export class RuleCatalog {
  readonly #settings: RulesSettings;
  readonly #logTypes = new Map<string, RegisteredLogType>();
  readonly #rules = new Map<string, { readonly logType: string; readonly compiled: AnyCompiledRule<unknown> }>();

  /** @param settings The rules configuration (its rule ids are checked by its parser). */
  public constructor(settings: RulesSettings = {}) {
    this.#settings = settings;
  }

  /** Adds a log type with all of its rules. Throws {@link CatalogError} on a malformed catalog. */
  public register<E>(logType: LogType<E>, rules: ReadonlyArray<AnyRule<E>>): this {
    if (this.#logTypes.has(logType.name)) throw new CatalogError(`log type ${logType.name} is already registered`);
    for (const rule of rules) {
      if (this.#rules.has(rule.id)) throw new CatalogError(`rule ${rule.id} is registered twice`);
    }
    // The catalog holds log types of any event shape; each is only ever handed its own events.
    const erased = logType as LogType<unknown>;
    const compiled = compileRules(erased, rules as ReadonlyArray<AnyRule<unknown>>, this.#settings);
    for (const [id, entry] of compiled.byId) this.#rules.set(id, { logType: logType.name, compiled: entry });
    this.#logTypes.set(logType.name, {
      logType: erased,
      dispatch: new EventDispatch(compiled.enabled),
      baselines: compiled.baselines,
    });
    return this;
  }

  /** Metadata of every registered rule (settings applied), in registration order. */
  public get rules(): readonly RuleMetadata[] {
    return [...this.#rules.values()].map((entry) => entry.compiled.metadata);
  }

  /** Every registered rule as the rules configuration parser checks it: id, kind, default state, steps. */
  public get knownRules(): readonly KnownRule[] {
    return [...this.#rules.values()].map(({ compiled }) => ({
      id: compiled.metadata.id,
      kind: compiled.metadata.kind,
      // The rule's own default, before any configuration.
      enabled: compiled.rule.enabled ?? true,
      ...(compiled.kind === 'correlation' ? { steps: compiled.rule.steps } : {}),
    }));
  }

  /** Metadata of one rule (settings applied), or `undefined`. */
  public getRule(ruleId: string): RuleMetadata | undefined {
    return this.#rules.get(ruleId)?.compiled.metadata;
  }

  /** A baseline rule's id, `forgetAfterDays`, `learningDays` and `newForMinutes` (defaults applied), for keeping its state. */
  public baseline(ruleId: string): BaselineShape {
    const entry = this.#rules.get(ruleId)?.compiled;
    if (entry?.kind !== 'baseline') throw new CatalogError(`no baseline rule with id ${ruleId}`);
    return entry.shape;
  }

  /** A correlation rule as declared, for keeping its state (steps, lookback). */
  public correlation(ruleId: string): CorrelationRule<unknown> {
    const entry = this.#rules.get(ruleId)?.compiled;
    if (entry?.kind !== 'correlation') throw new CatalogError(`no correlation rule with id ${ruleId}`);
    return entry.rule;
  }

  /**
   * The event types each enabled single-event rule and signal of a log type runs on, by rule id
   * (empty for a rule that takes every type): what tests and generators need to exercise each rule.
   */
  public eventTypes(logTypeName: string): ReadonlyMap<string, readonly string[]> {
    return new Map(
      [...this.#rules.values()]
        .filter(
          (entry) =>
            entry.logType === logTypeName && entry.compiled.kind !== 'correlation' && entry.compiled.metadata.enabled,
        )
        .map(
          (entry) =>
            [
              entry.compiled.metadata.id,
              (entry.compiled.rule as { eventTypes?: readonly string[] }).eventTypes ?? [],
            ] as const,
        ),
    );
  }

  /**
   * The event types each single-event rule and signal of a log type declares, by rule id, in
   * registration order, **enabled or not** (`undefined` for a rule that takes every type): what a
   * coverage report needs, where {@link RuleCatalog.eventTypes} lists only what runs.
   *
   * @example
   * ```ts
   * catalog.declaredEventTypes('OpenAI.Audit').get('OpenAI.SCIM.Configuration.Change'); // ['scim.enabled', 'scim.disabled']
   * ```
   */
  public declaredEventTypes(logTypeName: string): ReadonlyMap<string, readonly string[] | undefined> {
    return new Map(
      [...this.#rules.values()]
        .filter((entry) => entry.logType === logTypeName && entry.compiled.kind !== 'correlation')
        .map((entry) => [
          entry.compiled.metadata.id,
          (entry.compiled.rule as { eventTypes?: readonly string[] }).eventTypes,
        ]),
    );
  }

  /** Runs every applicable rule of `logTypeName` on a raw event. Never throws for any event. */
  public evaluate(logTypeName: string, raw: unknown): EventEvaluation {
    const { logType, dispatch, baselines } = this.#logType(logTypeName);
    return evaluateEvent(logType, dispatch.rulesFor(logType.eventTypeOf(raw)), raw, baselines);
  }

  /**
   * Runs one single-event rule or signal on a raw event, whatever the rules configuration says of
   * it (enabled or not, suppressed or not): what rule tests need.
   */
  public evaluateRule(ruleId: string, raw: unknown): SingleRuleEvaluation {
    const registered = this.#rules.get(ruleId);
    if (registered === undefined || (registered.compiled.kind !== 'rule' && registered.compiled.kind !== 'signal'))
      throw new CatalogError(`no single-event rule with id ${ruleId}`);
    const { rule } = registered.compiled;
    const { logType } = this.#logType(registered.logType);
    const type = logType.eventTypeOf(raw);
    if (rule.eventTypes !== undefined && (type === undefined || !rule.eventTypes.includes(type)))
      return { identity: UNKNOWN_IDENTITY, outcome: { kind: 'no-match' } };
    const prepared = prepareEvent(logType, raw);
    if ('failure' in prepared) {
      const errors = [{ function: 'normalize' as const, message: prepared.failure }];
      return { identity: UNKNOWN_IDENTITY, outcome: { kind: 'error', errors } };
    }
    return { identity: prepared.identity, outcome: runRule(rule, prepared.event) };
  }

  /**
   * The step matches a finding makes for the correlation rules fed by its rule (a step that names
   * a correlation rule): one per such step, with the finding's key, its trigger's event id, time
   * and detail. Empty for most rules. Cheap: no rule function runs.
   *
   * @example
   * ```ts
   * for (const step of catalog.findingSteps(finding)) record(step); // e.g. a brute-force success, a step of a takeover chain
   * ```
   */
  public findingSteps(finding: CorrelationFinding): CorrelationStepMatch[] {
    const entry = this.#rules.get(finding.ruleId)?.compiled;
    if (entry?.kind !== 'correlation' || entry.feeds.length === 0) return [];
    const { eventId, time, detail } = finding.trigger;
    return entry.feeds.map(({ correlation, stepIndex }) => ({
      eventId,
      eventType: undefined,
      eventTime: time,
      correlation: correlation.metadata,
      stepIndex,
      key: finding.key,
      ...(detail === undefined ? {} : { detail }),
    }));
  }

  /**
   * Runs a correlation rule's functions on a completed finding, with the engine's usual semantics
   * (defaults, truncation, masking): its title and alert context, its static (or pinned) severity
   * and its dedup string per key (`correlationDedup`). The match carries the triggering event's id
   * and time. Never throws for any finding.
   */
  public evaluateFinding(finding: CorrelationFinding): FindingEvaluation {
    const entry = this.#rules.get(finding.ruleId)?.compiled;
    if (entry?.kind !== 'correlation') throw new CatalogError(`no correlation rule with id ${finding.ruleId}`);
    const identity: EventIdentity = {
      eventId: finding.trigger.eventId,
      eventType: undefined,
      eventTime: finding.trigger.time,
    };
    const dedup = correlationDedup(entry.metadata.id, finding.key);
    const outcome = runRule({ ...entry.rule, dedup: () => dedup }, finding);
    // A correlation rule has no match(): every finding matches.
    if (outcome.kind !== 'match')
      throw new CatalogError(`correlation rule ${finding.ruleId} did not match its finding`);
    const errors = outcome.errors.map((failure) => ({ ...identity, ruleId: entry.metadata.id, ...failure }));
    const match = ruleMatch(identity, entry.metadata, outcome.output, entry.pinnedSeverity ?? outcome.output.severity);
    return { match, errors };
  }

  /**
   * Runs a baseline rule's functions on an event it observed and what was new in it for its actor
   * (the caller keeps the baseline: see `observeBaseline`): its title, severity, dedup string
   * (default: the title) and alert context, with the engine's usual semantics (defaults,
   * truncation, masking), and its pinned severity. Never throws for an event the rule observed (a
   * failing output function gives its default, listed in `errors`).
   */
  public evaluateNovelty(raw: unknown, novelty: Novelty): FindingEvaluation {
    const registered = this.#rules.get(novelty.ruleId);
    const entry = registered?.compiled;
    if (registered === undefined || entry?.kind !== 'baseline')
      throw new CatalogError(`no baseline rule with id ${novelty.ruleId}`);
    const prepared = prepareEvent(this.#logType(registered.logType).logType, raw);
    if ('failure' in prepared)
      throw new CatalogError(`baseline rule ${novelty.ruleId} observed an event it cannot read`);
    const { identity, event } = prepared;
    const { rule, metadata } = entry;
    const subject = { event, actor: novelty.actor, newValues: novelty.newValues, values: novelty.values };
    // The output functions alone: match() judged the event already, in evaluate().
    const outputs = { ...rule, displayName: metadata.displayName, match: undefined };
    const outcome = runRule(outputs, subject);
    // The outputs have no match(): every novelty matches.
    if (outcome.kind !== 'match') throw new CatalogError(`baseline rule ${novelty.ruleId} did not match its novelty`);
    const errors = outcome.errors.map((failure) => ({ ...identity, ruleId: metadata.id, ...failure }));
    const match = ruleMatch(identity, metadata, outcome.output, entry.pinnedSeverity ?? outcome.output.severity);
    return { match, errors };
  }

  #logType(name: string): RegisteredLogType {
    const registered = this.#logTypes.get(name);
    if (!registered) throw new CatalogError(`no log type ${name} is registered`);
    return registered;
  }
}
