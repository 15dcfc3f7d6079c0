import { describeError } from './describe-error.ts';
import { CatalogError } from './errors.ts';
import type { LogType } from './log-type.ts';
import type { EventEvaluation, EventIdentity, RuleError, RuleMatch, RuleOutcome } from './result.ts';
import type { Rule, RuleMetadata } from './rule.ts';
import { runRule } from './run-rule.ts';

const EMPTY_EVALUATION: EventEvaluation = Object.freeze({
  matches: Object.freeze([]),
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

interface CompiledLogType {
  evaluate(raw: unknown): EventEvaluation;
  evaluateRule(ruleId: string, raw: unknown): SingleRuleEvaluation;
}

function checkMetadata(rule: RuleMetadata, logTypeName: string): void {
  const problems: string[] = [];
  if (!rule.id) problems.push('id is empty');
  if (!rule.logTypes.includes(logTypeName)) problems.push(`logTypes does not include ${logTypeName}`);
  if (!Number.isInteger(rule.threshold) || rule.threshold < 1) problems.push('threshold must be an integer >= 1');
  if (!(rule.dedupPeriodMinutes > 0)) problems.push('dedupPeriodMinutes must be > 0');
  if (problems.length > 0) throw new CatalogError(`rule ${rule.id || '<no id>'}: ${problems.join('; ')}`);
}

function compile<E>(logType: LogType<E>, rules: readonly Rule<E>[]): CompiledLogType {
  // Index by event type once, so that evaluating an event of a type no rule wants is one Map lookup.
  const anyType = rules.filter((rule) => rule.eventTypes === undefined);
  const byType = new Map<string, Rule<E>[]>();
  for (const rule of rules) {
    for (const type of rule.eventTypes ?? []) {
      const bucket = byType.get(type) ?? [...anyType];
      if (!bucket.includes(rule)) bucket.push(rule);
      byType.set(type, bucket);
    }
  }
  const byId = new Map(rules.map((rule) => [rule.id, rule]));

  const candidatesFor = (raw: unknown): readonly Rule<E>[] => {
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

  const evaluate = (raw: unknown): EventEvaluation => {
    const candidates = candidatesFor(raw);
    if (candidates.length === 0) return EMPTY_EVALUATION;
    const prepared = prepare(raw);
    if ('failure' in prepared) {
      const eventType = logType.eventTypeOf(raw);
      return {
        matches: [],
        errors: candidates.map((rule) => ({
          ...UNKNOWN_IDENTITY,
          eventType,
          ruleId: rule.id,
          function: 'normalize' as const,
          message: prepared.failure,
        })),
      };
    }
    const matches: RuleMatch[] = [];
    const errors: RuleError[] = [];
    for (const rule of candidates) {
      const outcome = runRule(rule, prepared.event);
      if (outcome.kind === 'no-match') continue;
      for (const failure of outcome.errors) errors.push({ ...prepared.identity, ruleId: rule.id, ...failure });
      if (outcome.kind === 'match') matches.push({ ...prepared.identity, rule, ...outcome.output });
    }
    return matches.length === 0 && errors.length === 0 ? EMPTY_EVALUATION : { matches, errors };
  };

  const evaluateRule = (ruleId: string, raw: unknown): SingleRuleEvaluation => {
    const rule = byId.get(ruleId);
    if (!rule) throw new CatalogError(`no rule ${ruleId} for log type ${logType.name}`);
    if (!candidatesFor(raw).includes(rule)) return { identity: UNKNOWN_IDENTITY, outcome: { kind: 'no-match' } };
    const prepared = prepare(raw);
    if ('failure' in prepared) {
      return {
        identity: UNKNOWN_IDENTITY,
        outcome: { kind: 'error', errors: [{ function: 'normalize', message: prepared.failure }] },
      };
    }
    return { identity: prepared.identity, outcome: runRule(rule, prepared.event) };
  };

  return { evaluate, evaluateRule };
}

/**
 * The one place rules are registered. Evaluating an event runs every rule of its log type that can
 * match its event type; an event of a type no rule wants costs one Map lookup and allocates nothing.
 *
 * @example
 * ```ts
 * const catalog = new RuleCatalog().register(openAiAuditLogType, [apiKeyRule]);
 * const { matches, errors } = catalog.evaluate('OpenAI.Audit', event);
 * ```
 */
export class RuleCatalog {
  readonly #logTypes = new Map<string, CompiledLogType>();
  readonly #rules = new Map<string, { rule: RuleMetadata; logType: string }>();

  /** Adds a log type with all of its rules. Throws {@link CatalogError} on a malformed catalog. */
  public register<E>(logType: LogType<E>, rules: readonly Rule<E>[]): this {
    if (this.#logTypes.has(logType.name)) throw new CatalogError(`log type ${logType.name} is already registered`);
    for (const rule of rules) {
      checkMetadata(rule, logType.name);
      if (this.#rules.has(rule.id)) throw new CatalogError(`rule ${rule.id} is registered twice`);
      this.#rules.set(rule.id, { rule, logType: logType.name });
    }
    this.#logTypes.set(logType.name, compile(logType, rules));
    return this;
  }

  /** Metadata of every registered rule, in registration order. */
  public get rules(): readonly RuleMetadata[] {
    return [...this.#rules.values()].map((entry) => entry.rule);
  }

  /** Metadata of one rule, or `undefined`. */
  public getRule(ruleId: string): RuleMetadata | undefined {
    return this.#rules.get(ruleId)?.rule;
  }

  /** Runs every applicable rule of `logTypeName` on a raw event. Never throws for any event. */
  public evaluate(logTypeName: string, raw: unknown): EventEvaluation {
    return this.#compiled(logTypeName).evaluate(raw);
  }

  /** Runs one rule on a raw event, applying the same event-type filter and normalisation. */
  public evaluateRule(ruleId: string, raw: unknown): SingleRuleEvaluation {
    const entry = this.#rules.get(ruleId);
    if (!entry) throw new CatalogError(`no rule with id ${ruleId}`);
    return this.#compiled(entry.logType).evaluateRule(ruleId, raw);
  }

  #compiled(logTypeName: string): CompiledLogType {
    const compiled = this.#logTypes.get(logTypeName);
    if (!compiled) throw new CatalogError(`no log type ${logTypeName} is registered`);
    return compiled;
  }
}
