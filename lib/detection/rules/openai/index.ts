export {
  API_KEY_ANOMALOUS_ACTIVITY_RULE_ID,
  MAX_LISTED_SCOPES,
  createApiKeyAnomalousActivityRule,
  grantedScopes,
} from './api-key-anomalous-activity.ts';
export { DEFAULT_SCOPE_POLICY } from './default-scope-policy.ts';
export { ScopePolicyError } from './errors.ts';
export { compileGlob, globMatches, type CompiledGlob } from './glob.ts';
export { parseScopePolicy } from './parse-scope-policy.ts';
export {
  compileScopePolicy,
  elevatedScopes,
  type CompiledScopePolicy,
  type ElevatedScope,
  type ScopePolicy,
  type ScopePolicyEntry,
} from './scope-policy.ts';
