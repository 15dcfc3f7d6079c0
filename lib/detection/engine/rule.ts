import type { BaselineValue } from './baseline.ts';
import type { CorrelationFinding, CorrelationStep } from './correlation.ts';
import type { Severity } from './severity.ts';

/**
 * What a rule says about itself, each field with Panther's default: a rule states only what
 * differs. Only `id` and `defaultSeverity` are required.
 */
export interface RuleInfo {
  /** Stable identifier, e.g. `OpenAI.API.Key.Anomalous.Activity`. */
  readonly id: string;
  /** Static severity: used when the rule has no severity function, or that function fails. */
  readonly defaultSeverity: Severity;
  /** Human name shown in alerts; also the title when the rule has no title function. Default: the id. */
  readonly displayName?: string;
  readonly description?: string;
  readonly runbook?: string;
  readonly reference?: string;
  /** Length of the dedup window. Default 60. */
  readonly dedupPeriodMinutes?: number;
  /** Framework mappings, e.g. `{ 'MITRE ATT&CK': ['TA0001:T1078'] }`. Default none. */
  readonly reports?: Readonly<Record<string, readonly string[]>>;
  readonly tags?: readonly string[];
  /** Whether the rule runs. Default `true`; the rules configuration can turn a rule on or off. */
  readonly enabled?: boolean;
  /**
   * Where this rule deliberately differs from Panther's rule of the same id, by Panther's key
   * (`Severity`, `Threshold`, `Enabled`...) with the reason: the `test` command accepts only these.
   */
  readonly pantherDifferences?: Readonly<Record<string, string>>;
}

/**
 * A single-event rule: pure functions over a normalised event `E`, each optional, with Panther's
 * defaults. `eventTypes` is the type filter: the rule runs on events of those types only (every
 * type when absent), and `match` decides among them (default: every event it runs on matches).
 *
 * @example
 * ```ts
 * const scimDisabled: Rule<AuditEvent> = {
 *   id: 'Example.SCIM.Disabled',
 *   defaultSeverity: 'HIGH',
 *   eventTypes: ['scim.disabled'],
 *   title: (event) => `SCIM disabled by ${event.actor.label ?? 'someone'}`,
 * };
 * ```
 */
export interface Rule<E> extends RuleInfo {
  readonly kind?: 'rule';
  /** Matches needed with one dedup string within a window before an alert. Default 1. */
  readonly threshold?: number;
  /**
   * `false` makes the rule a **signal** (Panther's `CreateAlert: false`): its matches are counted
   * and feed correlation rules, never alerted. Default `true`.
   */
  readonly createAlert?: boolean;
  /** Event types the rule runs on; every type when absent. */
  readonly eventTypes?: readonly string[];
  /** Whether the event is alert-worthy. Default: yes. */
  match?(event: E): boolean;
  /** Alert title. Default: the display name. */
  title?(event: E): string;
  /** A severity name, or `DEFAULT` for the static severity. */
  severity?(event: E): string;
  /** Dedup string. Default: the title. */
  dedup?(event: E): string;
  /** Extra context for the analyst; a JSON object. */
  alertContext?(event: E): Record<string, unknown>;
  /**
   * With a threshold: the value whose **distinct** occurrences are counted within a dedup window
   * instead of matches (Panther's `unique()`), e.g. the source IP of failed logins.
   */
  unique?(event: E): string;
}

/**
 * A correlation rule: fires when the last of its `steps` matches for a key after every earlier step
 * matched at least `minMatchCount` times for the same key, all within `lookbackMinutes` (Panther's
 * correlation rules, with the order of the last step enforced). Each step names another rule,
 * usually a signal. As in Panther, its alerts are deduplicated per key (the dedup string is
 * `<id>:<key>`, see `correlationDedup`) at its static severity; its title and alert context are
 * functions of the {@link CorrelationFinding}.
 *
 * @example
 * ```ts
 * const bruteForce: CorrelationRule<AuditEvent> = {
 *   kind: 'correlation',
 *   id: 'Example.BruteForce',
 *   defaultSeverity: 'HIGH',
 *   steps: [
 *     { id: 'failures', ruleId: 'Example.Login.Failed', minMatchCount: 5 },
 *     { id: 'success', ruleId: 'Example.Login.Success', minMatchCount: 1 },
 *   ],
 *   lookbackMinutes: 30,
 *   correlationKey: (event) => event.actor.email?.toLowerCase(),
 *   title: (finding) => `Brute force against ${finding.key}`,
 * };
 * ```
 */
export interface CorrelationRule<E> extends RuleInfo {
  readonly kind: 'correlation';
  /** At least two steps; the last one completes the correlation. */
  readonly steps: readonly CorrelationStep[];
  readonly lookbackMinutes: number;
  /** The value a step's event is correlated on (Panther's `MatchCriteria`); `undefined` leaves it out. */
  correlationKey(event: E): string | undefined;
  /** A short detail kept with each step match (e.g. its source IP), shown in the alert. */
  recordDetail?(event: E): string | undefined;
  title?(finding: CorrelationFinding): string;
  alertContext?(finding: CorrelationFinding): Record<string, unknown>;
}

/** What a baseline rule's output functions see: the event, its actor, and what was new for the actor. */
export interface BaselineSubject<E> {
  readonly event: E;
  /** The actor, as the rule's `actor` named it. */
  readonly actor: string;
  /** The event's values that were new for the actor (at least one); with `raisedBy`, the values raised. */
  readonly newValues: readonly BaselineValue[];
  /** Every value the event showed, new or known. */
  readonly values: readonly BaselineValue[];
}

/**
 * A first-seen baseline rule: remembers, per actor, the values each of its `dimensions` took
 * (country, ASN, user agent...), learning from every event of the actor that shows one, and alerts
 * when an event of one of its `eventTypes` (accepted by `match`) shows a value new for its actor,
 * once the actor is past its learning period. State is kept by the caller (see `observeBaseline`);
 * title, severity, dedup and alert context are functions of the {@link BaselineSubject}.
 *
 * @example
 * ```ts
 * const newCountry: BaselineRule<AuditEvent> = {
 *   kind: 'baseline',
 *   id: 'Example.New.Country',
 *   defaultSeverity: 'MEDIUM',
 *   eventTypes: ['api_key.created'],
 *   actor: (event) => event.actor.key,
 *   dimensions: { country: (event) => event.actor.country },
 *   title: ({ actor, newValues }) => `${actor} acted from ${newValues[0]?.value}`,
 * };
 * ```
 */
export interface BaselineRule<E> extends RuleInfo {
  readonly kind: 'baseline';
  /** The event types that may alert (every event type teaches the baseline). */
  readonly eventTypes: readonly string[];
  /** A value not seen for this long is forgotten (default 30). */
  readonly forgetAfterDays?: number;
  /** No alert while the actor was first seen less than this long ago (default 7); its first event only learns. */
  readonly learningDays?: number;
  /**
   * A value another event of the actor introduced at most this long before still counts as new
   * (default 0): a login from a new country, then a key created from there, alerts at the key.
   */
  readonly newForMinutes?: number;
  /**
   * Alert on raised values instead of new ones: a dimension's value (a number) at least this many
   * times the value of that dimension seen most recently before it, in event time. Each value's
   * last sighting is then kept exact; `subject.newValues` carry the value raised from (`previous`).
   */
  readonly raisedBy?: number;
  /** Whose baseline an event belongs to; `undefined` leaves the event out. */
  actor(event: E): string | undefined;
  /** Per dimension, the value an event shows (`undefined` or blank: none). */
  readonly dimensions: Readonly<Record<string, (event: E) => string | undefined>>;
  /** Which events of `eventTypes` may alert. Default: all. */
  match?(event: E): boolean;
  title?(subject: BaselineSubject<E>): string;
  severity?(subject: BaselineSubject<E>): string;
  dedup?(subject: BaselineSubject<E>): string;
  alertContext?(subject: BaselineSubject<E>): Record<string, unknown>;
}

/** Anything the catalog registers. */
export type AnyRule<E> = Rule<E> | CorrelationRule<E> | BaselineRule<E>;

/** What a registered rule is: alerts on single events, a signal, a correlation of others, or a first-seen baseline. */
export type RuleKind = 'rule' | 'signal' | 'correlation' | 'baseline';

/**
 * A registered rule's metadata with every default filled in and the rules configuration applied
 * (its `enabled` flag and pinned severity): what matches, alerts and tools read.
 */
export interface RuleMetadata {
  readonly id: string;
  readonly kind: RuleKind;
  readonly displayName: string;
  readonly description: string;
  readonly runbook: string;
  readonly reference: string;
  readonly defaultSeverity: Severity;
  readonly dedupPeriodMinutes: number;
  readonly threshold: number;
  readonly logTypes: readonly string[];
  readonly reports: Readonly<Record<string, readonly string[]>>;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly createAlert: boolean;
  readonly pantherDifferences: Readonly<Record<string, string>>;
}

/** Which part of a rule (or the event's normalisation) failed. */
export type RuleFunctionName =
  'normalize' | 'match' | 'title' | 'severity' | 'dedup' | 'alertContext' | 'unique' | 'correlationKey' | 'baseline';

/**
 * Whether a rule is a correlation rule.
 *
 * @example
 * ```ts
 * if (isCorrelationRule(rule)) console.log(rule.steps.length);
 * ```
 */
export function isCorrelationRule<E>(rule: AnyRule<E>): rule is CorrelationRule<E> {
  return rule.kind === 'correlation';
}

/**
 * Whether a rule is a first-seen baseline rule.
 *
 * @example
 * ```ts
 * if (isBaselineRule(rule)) console.log(Object.keys(rule.dimensions));
 * ```
 */
export function isBaselineRule<E>(rule: AnyRule<E>): rule is BaselineRule<E> {
  return rule.kind === 'baseline';
}
