import { RuleCatalog } from '../engine/catalog.ts';
import type { CorrelationRule, Rule } from '../engine/rule.ts';
import type { RulesSettings } from '../engine/rule-settings.ts';
import type { AuditEvent } from '../openai/audit-event.ts';
import { openAiAuditLogType } from '../openai/log-type.ts';
import { builtInDetections } from './built-in-detections.ts';
import { adminApiKeyChangeRule } from './openai/admin-api-key-change.ts';
import { adminRoleAssignmentRule } from './openai/admin-role-assignment.ts';
import { apiCallLoggingRule } from './openai/api-call-logging.ts';
import { authenticationPolicyTamperingRule } from './openai/authentication-policy-tampering.ts';
import { createApiKeyAnomalousActivityRule } from './openai/api-key-anomalous-activity.ts';
import { bruteForceLoginSuccessRule } from './openai/brute-force-login-success.ts';
import { credentialNewSourceRule } from './openai/credential-new-source.ts';
import { credentialStuffingRule } from './openai/credential-stuffing.ts';
import { createCustomRoleAdminRule } from './openai/custom-role-admin.ts';
import { DEFAULT_SCOPE_POLICY } from './openai/default-scope-policy.ts';
import { destructiveChangeRule } from './openai/destructive-change.ts';
import { guardrailTamperingRule } from './openai/guardrail-tampering.ts';
import { ipAllowlistChangesRule } from './openai/ip-allowlist-changes.ts';
import { massCredentialDeletionRule } from './openai/mass-credential-deletion.ts';
import { projectMassDeletionRule } from './openai/project-mass-deletion.ts';
import { rateLimitRaisedRule } from './openai/rate-limit-raised.ts';
import { scimConfigurationChangeRule } from './openai/scim-configuration-change.ts';
import type { ScopePolicy } from './openai/scope-policy.ts';
import { createOwnerInvitationRule } from './openai/owner-invitation.ts';
import { serviceAccountOwnerRule } from './openai/service-account-owner.ts';
import { createPrivilegedActionSignal } from './openai/privileged-action.ts';
import { createTakeoverChainRule } from './openai/takeover-chain.ts';
import { createTakeoverChainBruteForceRule } from './openai/takeover-chain-brute-force.ts';
import { workloadIdentityTrustRule } from './openai/workload-identity-trust.ts';

/** What the catalog's rules can be configured with. */
export interface CatalogConfig {
  /** Elevated-scope policy of `OpenAI.API.Key.Anomalous.Activity`. */
  readonly scopePolicy?: ScopePolicy;
  /** The rules configuration: enable or disable rules, pin severities, suppress matches. */
  readonly rules?: RulesSettings;
  /**
   * The organization's own email domains, for `OpenAI.Owner.Invitation` (an owner invited from
   * elsewhere is rated higher). Empty: the acting user's own domain stands for them.
   */
  readonly orgDomains?: readonly string[];
  /**
   * Detections of your own (a rules folder's), registered after the built-in rules; an id that
   * clashes with one is refused.
   */
  readonly ownRules?: ReadonlyArray<Rule<AuditEvent> | CorrelationRule<AuditEvent>>;
}

/**
 * The rule catalog: every rule is registered here, once, under its log type: Panther's whole OpenAI
 * pack (five rules, two signals and one correlation over the signals), then the detections of the
 * control plane no one else publishes.
 *
 * @example
 * ```ts
 * const catalog = createRuleCatalog({ scopePolicy, rules });
 * catalog.evaluate('OpenAI.Audit', event).matches;
 * ```
 */
export function createRuleCatalog(config: CatalogConfig = {}): RuleCatalog {
  const scopePolicy = config.scopePolicy ?? DEFAULT_SCOPE_POLICY;
  const ownerInvitationRule = createOwnerInvitationRule(config.orgDomains ?? []);
  const customRoleAdminRule = createCustomRoleAdminRule(scopePolicy);
  const controlPlane = [
    adminApiKeyChangeRule,
    serviceAccountOwnerRule,
    ownerInvitationRule,
    apiCallLoggingRule,
    authenticationPolicyTamperingRule,
    workloadIdentityTrustRule,
  ];
  // What an intruder does first: the takeover chain judges them with the same logic.
  const persistencePrivilegeOrDefence = [...controlPlane, customRoleAdminRule, ipAllowlistChangesRule];
  return new RuleCatalog(config.rules).register(openAiAuditLogType, [
    createApiKeyAnomalousActivityRule(scopePolicy),
    adminRoleAssignmentRule,
    credentialStuffingRule,
    ipAllowlistChangesRule,
    scimConfigurationChangeRule,
    // The login signals: Panther's base rules, written as data (rules/openai/).
    ...builtInDetections(),
    bruteForceLoginSuccessRule,
    ...controlPlane,
    massCredentialDeletionRule,
    destructiveChangeRule,
    projectMassDeletionRule,
    guardrailTamperingRule,
    rateLimitRaisedRule,
    customRoleAdminRule,
    credentialNewSourceRule,
    createTakeoverChainRule(persistencePrivilegeOrDefence),
    createPrivilegedActionSignal(persistencePrivilegeOrDefence),
    createTakeoverChainBruteForceRule(persistencePrivilegeOrDefence),
    ...(config.ownRules ?? []),
  ]);
}
