import { RuleCatalog } from '../engine/catalog.ts';
import type { RulesSettings } from '../engine/rule-settings.ts';
import { openAiAuditLogType } from '../openai/log-type.ts';
import { adminRoleAssignmentRule } from './openai/admin-role-assignment.ts';
import { createApiKeyAnomalousActivityRule } from './openai/api-key-anomalous-activity.ts';
import { bruteForceLoginSuccessRule } from './openai/brute-force-login-success.ts';
import { credentialStuffingRule } from './openai/credential-stuffing.ts';
import { DEFAULT_SCOPE_POLICY } from './openai/default-scope-policy.ts';
import { ipAllowlistChangesRule } from './openai/ip-allowlist-changes.ts';
import { loginFailedSignal, loginSuccessSignal } from './openai/login-signals.ts';
import { scimConfigurationChangeRule } from './openai/scim-configuration-change.ts';
import type { ScopePolicy } from './openai/scope-policy.ts';

/** What the catalog's rules can be configured with. */
export interface CatalogConfig {
  /** Elevated-scope policy of `OpenAI.API.Key.Anomalous.Activity`. */
  readonly scopePolicy?: ScopePolicy;
  /** The rules configuration: enable or disable rules, pin severities, suppress matches. */
  readonly rules?: RulesSettings;
}

/**
 * The rule catalog: every rule is registered here, once, under its log type. Panther's whole OpenAI
 * pack: six rules, two of them signals, and one correlation over the signals.
 *
 * @example
 * ```ts
 * const catalog = createRuleCatalog({ scopePolicy, rules });
 * catalog.evaluate('OpenAI.Audit', event).matches;
 * ```
 */
export function createRuleCatalog(config: CatalogConfig = {}): RuleCatalog {
  return new RuleCatalog(config.rules).register(openAiAuditLogType, [
    createApiKeyAnomalousActivityRule(config.scopePolicy ?? DEFAULT_SCOPE_POLICY),
    adminRoleAssignmentRule,
    credentialStuffingRule,
    ipAllowlistChangesRule,
    scimConfigurationChangeRule,
    loginFailedSignal,
    loginSuccessSignal,
    bruteForceLoginSuccessRule,
  ]);
}
