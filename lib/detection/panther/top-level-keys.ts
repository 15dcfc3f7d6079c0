/**
 * What the compiler does with one top-level key of a Panther rule file.
 *
 * @example
 * ```ts
 * TOP_LEVEL_KEYS.get('OutputIds')?.kind; // 'ignored'
 * ```
 */
export type KeyTreatment =
  | { readonly kind: 'supported' }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

const SUPPORTED: KeyTreatment = { kind: 'supported' };
const ignored = (reason: string): KeyTreatment => ({ kind: 'ignored', reason });
const refused = (reason: string): KeyTreatment => ({ kind: 'refused', reason });

/**
 * Every top-level key Panther's rule schema has (panther_analysis_tool's `RULE_SCHEMA`, plus the
 * simple-detection keys of its `analysis_config_schema.json`), and what happens to it here. A key
 * not in this table is an error naming it: a typo must never silently drop part of a detection.
 *
 * @example
 * ```ts
 * TOP_LEVEL_KEYS.get('Filename'); // { kind: 'refused', reason: 'Python detections are not supported...' }
 * ```
 */
export const TOP_LEVEL_KEYS: ReadonlyMap<string, KeyTreatment> = new Map([
  ['AnalysisType', SUPPORTED],
  ['RuleID', SUPPORTED],
  ['Enabled', SUPPORTED],
  ['LogTypes', SUPPORTED],
  ['Severity', SUPPORTED],
  ['DisplayName', SUPPORTED],
  ['Description', SUPPORTED],
  ['Runbook', SUPPORTED],
  ['Reference', SUPPORTED],
  ['DedupPeriodMinutes', SUPPORTED],
  ['Threshold', SUPPORTED],
  ['Tags', SUPPORTED],
  ['Reports', SUPPORTED],
  ['CreateAlert', SUPPORTED],
  ['Tests', SUPPORTED],
  ['Detection', SUPPORTED],
  ['InlineFilters', SUPPORTED],
  ['AlertTitle', SUPPORTED],
  ['AlertContext', SUPPORTED],
  ['GroupBy', SUPPORTED],
  ['DynamicSeverities', SUPPORTED],
  [
    'OutputIds',
    ignored("alert destinations are not chosen per rule here: every alert goes to the deployment's SNS topic"),
  ],
  ['SummaryAttributes', ignored("fields for Panther's alert summary view; the alert context carries fields here")],
  ['CreatedBy', ignored("authorship metadata of Panther's console")],
  ['Status', ignored("a label of Panther's console; Enabled decides whether the rule runs")],
  ['OnlyUseBaseRiskScore', ignored('Panther risk scoring, which this project does not have')],
  ['BaseVersion', ignored("the version of Panther-managed content, for Panther's merge tooling")],
  [
    'Filename',
    refused(
      'Python detections are not supported: only simple detections compile here; write the logic as a Detection list of match expressions',
    ),
  ],
  ['ScheduledQueries', refused('scheduled rules run SQL over a data lake, which this project does not have')],
  ['BaseDetection', refused('derived detections extend another Panther detection; write the whole detection instead')],
  [
    'Suppressions',
    refused("a Panther policy key, not a rule key; suppress matches in the rules configuration's `suppress` instead"),
  ],
]);
