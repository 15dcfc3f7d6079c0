export { RuleCatalog, type SingleRuleEvaluation } from './catalog.ts';
export * from './constants.ts';
export { describeError, typeName } from './describe-error.ts';
export { CatalogError } from './errors.ts';
export type { LogType } from './log-type.ts';
export type {
  EventEvaluation,
  EventIdentity,
  RuleError,
  RuleFunctionFailure,
  RuleMatch,
  RuleOutcome,
  RuleOutput,
} from './result.ts';
export type { Rule, RuleFunctionName, RuleMetadata } from './rule.ts';
export { runRule } from './run-rule.ts';
export { SEVERITIES, maxSeverity, parseSeverity, severityRank, type Severity } from './severity.ts';
export { truncateOutput } from './truncate.ts';
