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
export {
  ADMIN_ROLE_ASSIGNMENT_RULE_ID,
  adminRoleAssignmentRule,
  assignedRole,
  type AssignedRole,
} from './admin-role-assignment.ts';
export {
  BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID,
  BRUTE_FORCE_LOOKBACK_MINUTES,
  BRUTE_FORCE_MIN_FAILURES,
  bruteForceLoginSuccessRule,
} from './brute-force-login-success.ts';
export {
  CREDENTIAL_STUFFING_RULE_ID,
  LOGIN_FAILED,
  credentialStuffingRule,
  loginAccount,
} from './credential-stuffing.ts';
export { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './event-context.ts';
export { IP_ALLOWLIST_CHANGES_RULE_ID, allowedIps, ipAllowlistChangesRule } from './ip-allowlist-changes.ts';
export {
  LOGIN_FAILED_RULE_ID,
  LOGIN_SUCCEEDED,
  LOGIN_SUCCESS_RULE_ID,
  loginFailedSignal,
  loginSuccessSignal,
} from './login-signals.ts';
export { SCIM_CONFIGURATION_CHANGE_RULE_ID, scimConfigurationChangeRule } from './scim-configuration-change.ts';
