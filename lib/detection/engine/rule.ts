import type { Severity } from './severity.ts';

/**
 * The declarative part of a rule: what it is, how severe, how it deduplicates and how an analyst
 * responds. Mirrors Panther's rule metadata.
 */
export interface RuleMetadata {
  /** Stable identifier, e.g. `OpenAI.API.Key.Anomalous.Activity`. */
  readonly id: string;
  /** Human name shown in alerts; also the title when the rule has no title function. */
  readonly displayName: string;
  readonly description: string;
  readonly runbook: string;
  readonly reference: string;
  /** Static severity, used when the rule has no severity function or that function fails. */
  readonly defaultSeverity: Severity;
  /** Length of the dedup window. */
  readonly dedupPeriodMinutes: number;
  /** Matches with one dedup value needed within a window before an alert is created. */
  readonly threshold: number;
  /** Log types the rule applies to, e.g. `OpenAI.Audit`. */
  readonly logTypes: readonly string[];
  /** Framework mappings, e.g. `{ 'MITRE ATT&CK': ['TA0001:T1078'] }`. */
  readonly reports: Readonly<Record<string, readonly string[]>>;
  readonly tags?: readonly string[];
  /** Whether the rule runs; default `true`. The rules configuration can turn a rule on or off. */
  readonly enabled?: boolean;
  /**
   * `false` makes the rule a **signal** (Panther's `CreateAlert: false`): its matches are recorded
   * for correlation rules and counted, never alerted. Default `true`.
   */
  readonly createAlert?: boolean;
  /**
   * Where this rule deliberately differs from Panther's metadata of the same RuleID, by Panther's
   * key (`Severity`, `Threshold`, `DedupPeriodMinutes`, `CreateAlert`, `Enabled`...) with the
   * reason. The `test` command checks a Panther file's metadata against the rule and accepts only
   * the differences listed here.
   */
  readonly pantherDifferences?: Readonly<Record<string, string>>;
}

/**
 * A detection rule: metadata plus pure functions over a normalised event `E`.
 *
 * Only `match` is required; the engine supplies Panther's defaults for the rest. None of them may
 * do I/O. `eventTypes`, when given, lets the engine skip the rule for every other event type without
 * normalising the event at all.
 *
 * @example
 * ```ts
 * const rule: Rule<AuditEvent> = {
 *   id: 'Example.Login.Failed', displayName: 'Login failed', description: '', runbook: '',
 *   reference: '', defaultSeverity: 'LOW', dedupPeriodMinutes: 60, threshold: 5,
 *   logTypes: ['OpenAI.Audit'], reports: {}, eventTypes: ['login.failed'],
 *   match: () => true,
 * };
 * ```
 */
export interface Rule<E> extends RuleMetadata {
  /** Event types this rule can match; omitted means every event of its log types. */
  readonly eventTypes?: readonly string[];
  /** Whether the event is alert-worthy. */
  match(event: E): boolean;
  /** Alert title. Default: the display name. */
  title?(event: E): string;
  /** Severity name, or `DEFAULT` for the static severity. */
  severity?(event: E): string;
  /** Dedup string. Default: the title. */
  dedup?(event: E): string;
  /** Extra context for the analyst; must be a JSON object. */
  alertContext?(event: E): Record<string, unknown>;
  /**
   * With a threshold: the value whose **distinct** occurrences are counted within a dedup window,
   * instead of matches (Panther's `unique()`), e.g. the source IP of failed logins.
   */
  unique?(event: E): string;
}

/** Which part of a rule (or the event's normalisation) failed. */
export type RuleFunctionName =
  'normalize' | 'match' | 'title' | 'severity' | 'dedup' | 'alertContext' | 'unique' | 'correlationKey';
