// The public surface of lib/detection: what other parts of lib/ and functions/ may import from it
// (ESLint's project-boundaries rule, eslint.config.js). Inside lib/detection, modules import each other directly.
export { type RuleCatalog } from './engine/catalog.ts';
export {
  correlationFindings,
  type CorrelationShape,
  type CorrelationState,
  emptyCorrelationState,
  LATE_ARRIVAL_SECONDS,
  recordStep,
  type StepRecord,
} from './engine/correlation.ts';
export { RulesConfigError } from './engine/errors.ts';
export { type KnownRule } from './engine/known-rule.ts';
export { type CorrelationStepMatch, type RuleError, type RuleMatch } from './engine/result.ts';
export { parseCidr, type RuleSettings, type RulesSettings, type RuleSuppression } from './engine/rule-settings.ts';
export { type RuleMetadata } from './engine/rule.ts';
export { maxSeverity, parseSeverity, SEVERITIES, type Severity, severityRank } from './engine/severity.ts';
export { StreamBounds } from './engine/stream-bounds.ts';
export { StreamEvaluator } from './engine/stream-evaluator.ts';
export { OPENAI_AUDIT_LOG_TYPE } from './openai/constants.ts';
export {
  auditEventProblem,
  extractAuditEvents,
  type InputProblem,
  type LocatedEvent,
} from './openai/extract-events.ts';
export { type CatalogConfig, createRuleCatalog } from './rules/create-rule-catalog.ts';
export { DEFAULT_SCOPE_POLICY } from './rules/openai/default-scope-policy.ts';
export { ScopePolicyError } from './rules/openai/errors.ts';
export {
  DEFAULT_UNRECORDED_SCOPES_SEVERITY,
  type ScopePolicy,
  type ScopePolicyEntry,
} from './rules/openai/scope-policy.ts';
export { RuleTestFileError } from './testing/errors.ts';
export { checkPantherMetadata, runRuleTest } from './testing/run-test.ts';
export { parseRuleTestFile } from './testing/test-file.ts';
