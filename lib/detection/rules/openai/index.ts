export {
  API_KEY_ANOMALOUS_ACTIVITY_RULE_ID,
  MAX_LISTED_SCOPES,
  createApiKeyAnomalousActivityRule,
} from './api-key-anomalous-activity.ts';
export {
  API_KEY_CREATED,
  API_KEY_UPDATED,
  flattenedScopes,
  grantedScopes,
  keyPermissions,
  type KeyPermissions,
} from './key-scopes.ts';
export { DEFAULT_SCOPE_POLICY } from './default-scope-policy.ts';
export { ScopePolicyError } from './errors.ts';
export { compileGlob, globMatches, type CompiledGlob } from './glob.ts';
export { parseScopePolicy } from './parse-scope-policy.ts';
export {
  compileScopePolicy,
  elevatedScopes,
  DEFAULT_UNRECORDED_SCOPES_SEVERITY,
  DEFAULT_UNRESTRICTED_SEVERITY,
  type CompiledScopePolicy,
  type ElevatedScope,
  type ScopePolicy,
  type ScopePolicyEntry,
} from './scope-policy.ts';
