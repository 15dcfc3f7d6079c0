import { CatalogError } from './errors.ts';
import type { LogType } from './log-type.ts';
import {
  DEFAULT_FORGET_AFTER_DAYS,
  DEFAULT_LEARNING_DAYS,
  DEFAULT_NEW_FOR_MINUTES,
  type BaselineShape,
} from './baseline.ts';
import {
  isBaselineRule,
  isCorrelationRule,
  type AnyRule,
  type BaselineRule,
  type CorrelationRule,
  type Rule,
  type RuleKind,
  type RuleMetadata,
} from './rule.ts';
import { compileSuppression, type CompiledSuppression, type RulesSettings } from './rule-settings.ts';
import type { Severity } from './severity.ts';

/** Panther's defaults, for what a rule does not state. */
const DEFAULT_DEDUP_PERIOD_MINUTES = 60;
const DEFAULT_THRESHOLD = 1;

/** A single-event rule or signal, ready to run: its functions, metadata in force and settings. */
export interface CompiledRule<E> {
  readonly kind: 'rule' | 'signal';
  readonly rule: Rule<E>;
  readonly metadata: RuleMetadata;
  /** The severity the rules configuration pins, replacing what the rule computes. */
  readonly pinnedSeverity: Severity | undefined;
  readonly suppression: CompiledSuppression | undefined;
  /** The enabled correlation rules with a step on this rule, and the step's index. */
  readonly feeds: ReadonlyArray<{ readonly correlation: CompiledCorrelation<E>; readonly stepIndex: number }>;
}

/** A correlation rule, ready to run. */
export interface CompiledCorrelation<E> {
  readonly kind: 'correlation';
  readonly rule: CorrelationRule<E>;
  readonly metadata: RuleMetadata;
  readonly pinnedSeverity: Severity | undefined;
  /** The enabled correlation rules with a step on this one (its findings are their matches), and the step's index. */
  readonly feeds: ReadonlyArray<{ readonly correlation: CompiledCorrelation<E>; readonly stepIndex: number }>;
}

/** A first-seen baseline rule, ready to run, with its defaults filled in. */
export interface CompiledBaseline<E> {
  readonly kind: 'baseline';
  readonly rule: BaselineRule<E>;
  readonly metadata: RuleMetadata;
  readonly pinnedSeverity: Severity | undefined;
  readonly suppression: CompiledSuppression | undefined;
  /** Its id, `forgetAfterDays` and `learningDays`, defaults applied: what keeping its state needs. */
  readonly shape: BaselineShape;
  /** Its dimensions, in declaration order. */
  readonly dimensions: ReadonlyArray<readonly [string, (event: E) => string | undefined]>;
  /** `eventTypes`, for a lookup per event. */
  readonly triggers: ReadonlySet<string>;
}

/** Any compiled rule. */
export type AnyCompiledRule<E> = CompiledRule<E> | CompiledCorrelation<E> | CompiledBaseline<E>;

/** Every rule of one log type, compiled. */
export interface CompiledRules<E> {
  /** Every rule, enabled or not, by id, in registration order. */
  readonly byId: ReadonlyMap<string, AnyCompiledRule<E>>;
  /** The enabled single-event rules and signals, in registration order. */
  readonly enabled: readonly CompiledRule<E>[];
  /** The enabled baseline rules, in registration order: every event is shown to each. */
  readonly baselines: readonly CompiledBaseline<E>[];
}

function kindOf<E>(rule: AnyRule<E>): RuleKind {
  if (isCorrelationRule(rule)) return 'correlation';
  if (isBaselineRule(rule)) return 'baseline';
  return rule.createAlert === false ? 'signal' : 'rule';
}

/**
 * A rule's metadata with Panther's defaults filled in and the rules configuration applied (its
 * `enabled` flag, a pinned severity as the static severity, its threshold and dedup period).
 */
function metadataOf<E>(rule: AnyRule<E>, logTypeName: string, settings: RulesSettings): RuleMetadata {
  const setting = settings[rule.id];
  const kind = kindOf(rule);
  return {
    id: rule.id,
    kind,
    displayName: rule.displayName ?? rule.id,
    description: rule.description ?? '',
    runbook: rule.runbook ?? '',
    reference: rule.reference ?? '',
    defaultSeverity: setting?.severity ?? rule.defaultSeverity,
    dedupPeriodMinutes: setting?.dedupPeriodMinutes ?? rule.dedupPeriodMinutes ?? DEFAULT_DEDUP_PERIOD_MINUTES,
    threshold:
      isCorrelationRule(rule) || isBaselineRule(rule)
        ? DEFAULT_THRESHOLD
        : (setting?.threshold ?? rule.threshold ?? DEFAULT_THRESHOLD),
    logTypes: [logTypeName],
    reports: rule.reports ?? {},
    tags: rule.tags ?? [],
    enabled: setting?.enabled ?? rule.enabled ?? true,
    createAlert: kind !== 'signal',
    pantherDifferences: rule.pantherDifferences ?? {},
  };
}

function check<E>(rule: AnyRule<E>, metadata: RuleMetadata, ids: ReadonlySet<string>): void {
  const problems: string[] = [];
  if (!Number.isInteger(metadata.threshold) || metadata.threshold < 1)
    problems.push('threshold must be an integer >= 1');
  if (!(metadata.dedupPeriodMinutes > 0)) problems.push('dedupPeriodMinutes must be > 0');
  if (isCorrelationRule(rule)) {
    if (rule.steps.length < 2) problems.push('needs at least two steps');
    for (const step of rule.steps) {
      if (!ids.has(step.ruleId)) problems.push(`step ${step.id} names unknown rule ${step.ruleId}`);
      if (!Number.isInteger(step.minMatchCount) || step.minMatchCount < 1)
        problems.push(`step ${step.id}: minMatchCount must be an integer >= 1`);
    }
    if (!(rule.lookbackMinutes > 0)) problems.push('lookbackMinutes must be > 0');
  }
  if (isBaselineRule(rule)) {
    if (Object.keys(rule.dimensions).length === 0) problems.push('needs at least one dimension');
    if (rule.eventTypes.length === 0) problems.push('needs at least one event type that may alert');
    if (!((rule.forgetAfterDays ?? DEFAULT_FORGET_AFTER_DAYS) > 0)) problems.push('forgetAfterDays must be > 0');
    if (!((rule.learningDays ?? DEFAULT_LEARNING_DAYS) >= 0)) problems.push('learningDays must be >= 0');
    const newFor = rule.newForMinutes ?? DEFAULT_NEW_FOR_MINUTES;
    if (!(newFor >= 0 && newFor <= 1440)) problems.push('newForMinutes must be from 0 to 1440');
    if (rule.raisedBy !== undefined && !(rule.raisedBy > 1)) problems.push('raisedBy must be > 1');
  }
  if (problems.length > 0) throw new CatalogError(`rule ${rule.id}: ${problems.join('; ')}`);
}

/** The steps of `correlations` that name rule `ruleId`. */
function feedsOf<E>(ruleId: string, correlations: readonly CompiledCorrelation<E>[]): CompiledCorrelation<E>['feeds'] {
  return correlations.flatMap((correlation) =>
    correlation.rule.steps.flatMap((step, stepIndex) => (step.ruleId === ruleId ? [{ correlation, stepIndex }] : [])),
  );
}

/**
 * Compiles the rules of one log type: checks them (a malformed catalog is a {@link CatalogError}
 * at start-up, never while evaluating), fills in Panther's defaults, applies the rules
 * configuration, and links each rule to the correlation steps it feeds.
 *
 * @example
 * ```ts
 * const { enabled } = compileRules(openAiAuditLogType, [scimRule, loginFailed, bruteForce], settings);
 * ```
 */
export function compileRules<E>(
  logType: LogType<E>,
  rules: ReadonlyArray<AnyRule<E>>,
  settings: RulesSettings,
): CompiledRules<E> {
  const ids = new Set<string>();
  for (const rule of rules) {
    if (!rule.id) throw new CatalogError('a rule has an empty id');
    if (ids.has(rule.id)) throw new CatalogError(`rule ${rule.id} is registered twice`);
    ids.add(rule.id);
  }
  const byId = new Map<string, AnyCompiledRule<E>>();
  const kinds = new Map(rules.map((rule) => [rule.id, kindOf(rule)]));
  const positions = new Map(rules.map((rule, index) => [rule.id, index]));
  const declared: Array<{ readonly rule: CorrelationRule<E>; readonly metadata: RuleMetadata }> = [];
  rules.forEach((rule, position) => {
    const metadata = metadataOf(rule, logType.name, settings);
    check(rule, metadata, ids);
    if (!isCorrelationRule(rule)) return;
    // A step names a single-event rule or signal, or a correlation registered before (whose
    // findings are its matches): no cycle.
    const refused = rule.steps.find((step) => {
      const kind = kinds.get(step.ruleId) ?? 'rule';
      if (kind === 'rule' || kind === 'signal') return false;
      return kind !== 'correlation' || (positions.get(step.ruleId) ?? position) >= position;
    });
    if (refused !== undefined)
      throw new CatalogError(
        `rule ${rule.id}: step ${refused.id} names ${refused.ruleId}, which is not a single-event rule, a signal or a correlation rule registered before it`,
      );
    declared.push({ rule, metadata });
  });
  // The last first: a correlation is fed only by later ones, so theirs are compiled when it is.
  const correlations: CompiledCorrelation<E>[] = [];
  for (const { rule, metadata } of declared.reverse()) {
    const compiled: CompiledCorrelation<E> = {
      kind: 'correlation',
      rule,
      metadata,
      pinnedSeverity: settings[rule.id]?.severity,
      feeds: feedsOf(rule.id, correlations),
    };
    byId.set(rule.id, compiled);
    if (metadata.enabled) correlations.unshift(compiled);
  }
  for (const rule of rules) {
    if (isCorrelationRule(rule)) continue;
    const metadata = metadataOf(rule, logType.name, settings);
    const suppress = settings[rule.id]?.suppress;
    const suppression = suppress === undefined ? undefined : compileSuppression(suppress);
    const pinnedSeverity = settings[rule.id]?.severity;
    if (isBaselineRule(rule)) {
      byId.set(rule.id, {
        kind: 'baseline',
        rule,
        metadata,
        pinnedSeverity,
        suppression,
        shape: {
          id: rule.id,
          forgetAfterDays: rule.forgetAfterDays ?? DEFAULT_FORGET_AFTER_DAYS,
          learningDays: rule.learningDays ?? DEFAULT_LEARNING_DAYS,
          newForMinutes: rule.newForMinutes ?? DEFAULT_NEW_FOR_MINUTES,
          ...(rule.raisedBy === undefined ? {} : { raisedBy: rule.raisedBy }),
        },
        dimensions: Object.entries(rule.dimensions),
        triggers: new Set(rule.eventTypes),
      });
      continue;
    }
    byId.set(rule.id, {
      kind: metadata.kind === 'signal' ? 'signal' : 'rule',
      rule,
      metadata,
      pinnedSeverity,
      suppression,
      feeds: feedsOf(rule.id, correlations),
    });
  }
  // Registration order, whatever the kind.
  const ordered = new Map(rules.map((rule) => [rule.id, byId.get(rule.id) as AnyCompiledRule<E>]));
  const enabled = [...ordered.values()].filter(
    (entry): entry is CompiledRule<E> => (entry.kind === 'rule' || entry.kind === 'signal') && entry.metadata.enabled,
  );
  const baselines = [...ordered.values()].filter(
    (entry): entry is CompiledBaseline<E> => entry.kind === 'baseline' && entry.metadata.enabled,
  );
  return { byId: ordered, enabled, baselines };
}
