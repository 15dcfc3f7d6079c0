export {
  RuleCatalog,
  type EventTypeWants,
  type FindingEvaluation,
  type FindingHead,
  type RuleKind,
  type SingleRuleEvaluation,
} from './catalog.ts';
export {
  LATE_ARRIVAL_SECONDS,
  MAX_RECORDS_PER_STEP,
  correlationFindings,
  emptyCorrelationState,
  recordStep,
  type CorrelationShape,
  type CorrelationState,
} from './correlate.ts';
export { CorrelationLedger } from './correlation-ledger.ts';
export {
  isCorrelationRule,
  type CorrelationFinding,
  type CorrelationRule,
  type CorrelationStep,
  type StepRecord,
} from './correlation-rule.ts';
export * from './constants.ts';
export { describeError, typeName } from './describe-error.ts';
export { CatalogError, RulesConfigError } from './errors.ts';
export { MAX_SUPPRESSION_ENTRIES, parseRulesSettings, type KnownRule } from './parse-rules-settings.ts';
export {
  MAX_DISTINCT_VALUES_PER_WINDOW,
  StreamEvaluator,
  type StreamAlert,
  type StreamOptions,
  type StreamStats,
  type StreamStep,
} from './stream-evaluator.ts';
export type { LogType } from './log-type.ts';
export type {
  CorrelationStepMatch,
  CountedMatch,
  EventEvaluation,
  EventIdentity,
  MatchHead,
  RuleError,
  RuleFunctionFailure,
  RuleMatch,
  RuleOutcome,
  RuleOutput,
  SignalMatch,
  SuppressedMatch,
} from './result.ts';
export {
  compileSuppression,
  parseCidr,
  type CompiledSuppression,
  type EventSubject,
  type RuleSettings,
  type RuleSuppression,
  type RulesSettings,
} from './rule-settings.ts';
export type { Rule, RuleFunctionName, RuleMetadata } from './rule.ts';
export { perEvent } from './per-event.ts';
export { decideRule, matchHead, runRule, type MatchHeadOutcome, type RuleDecision } from './run-rule.ts';
export { SEVERITIES, maxSeverity, parseSeverity, severityRank, type Severity } from './severity.ts';
export { truncateOutput } from './truncate.ts';
