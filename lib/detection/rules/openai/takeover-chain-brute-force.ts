import type { CorrelationFinding } from '../../engine/correlation.ts';
import type { CorrelationRule, Rule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID } from './brute-force-login-success.ts';
import { loginAccount } from './helpers.ts';
import { PRIVILEGED_ACTION_RULE_ID, privilegedAction } from './privileged-action.ts';
import { TAKEOVER_WINDOW_MINUTES } from './takeover-chain.ts';

/** Rule id. */
export const TAKEOVER_CHAIN_BRUTE_FORCE_RULE_ID = 'OpenAI.Account.Takeover.Chain.BruteForce';

function iso(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}

/**
 * "Takeover chain after a brute force": a brute-force login success
 * (`OpenAI.BruteForce.Login.Success.Group`: five failed logins, then a login), then within 60
 * minutes, by the same user in a session, an action of persistence, privilege escalation or
 * defence impairment (what the control-plane detections in `parts` rate MEDIUM or above, through
 * the `OpenAI.Privileged.Action` signal). CRITICAL. A correlation fed by a correlation: the
 * brute-force rule's findings are its first step, so that rule must be enabled for this one to fire.
 *
 * @example
 * ```ts
 * createTakeoverChainBruteForceRule([adminApiKeyChangeRule, serviceAccountOwnerRule]);
 * ```
 */
export function createTakeoverChainBruteForceRule(parts: readonly Rule<AuditEvent>[]): CorrelationRule<AuditEvent> {
  const names = new Map(parts.map((part) => [part.id, part.displayName ?? part.id]));
  const detection = (finding: CorrelationFinding) => finding.trigger.detail;
  return {
    kind: 'correlation',
    id: TAKEOVER_CHAIN_BRUTE_FORCE_RULE_ID,
    displayName: 'OpenAI Account Takeover Chain after a Brute Force',
    description: [
      'Alerts when a user whose password was just brute-forced (five failed logins, then a successful one:',
      'OpenAI.BruteForce.Login.Success.Group) performs, within the hour after that login, an action of',
      'persistence, privilege escalation or defence impairment (an admin API key, a service account or user',
      'made owner, an SSO, SCIM or session policy change, API call logging disabled, a workload identity trust,',
      'a custom admin role, an IP allowlist weakened): the guessed password, then what an intruder does first.',
    ].join('\n'),
    runbook: [
      '1. Treat the account as compromised: end every session of the user, reset the password and require SSO or multi-factor authentication before anything else.',
      '2. Undo the action named in the alert (revoke the admin key, demote the owner or service account, restore the SSO, SCIM, logging or allowlist setting, remove the role or trust), then confirm with the user, through a channel other than their OpenAI account or mailbox, that neither the login nor the action was theirs.',
      "3. List everything the user did since the successful login (GET /v1/organization/audit_logs with actor_ids[]), and check the failed logins' source addresses for other accounts they tried.",
    ].join('\n'),
    reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
    defaultSeverity: 'CRITICAL',
    reports: { 'MITRE ATT&CK': ['TA0006:T1110', 'TA0001:T1078.004', 'TA0003:T1098', 'TA0005:T1562'] },
    tags: ['OpenAI', 'Account Takeover', 'Correlation'],
    steps: [
      { id: 'Brute Force Login Success', ruleId: BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID, minMatchCount: 1 },
      { id: 'Privileged Action', ruleId: PRIVILEGED_ACTION_RULE_ID, minMatchCount: 1 },
    ],
    lookbackMinutes: TAKEOVER_WINDOW_MINUTES,

    // The brute-force rule's key (the login's account): a session user's email, else user id.
    correlationKey: (event) => (event.actor.type?.toLowerCase() === 'session' ? loginAccount(event) : undefined),
    // The detection the action is, shown in the alert.
    recordDetail: (event) => privilegedAction(parts, event)?.ruleId,

    title: (finding) => {
      const ruleId = detection(finding);
      const what = (ruleId === undefined ? undefined : names.get(ruleId)) ?? 'Privileged Action';
      return `OpenAI Account Takeover Chain: ${what} after a Brute Force Login Success for [${finding.key}]`;
    },

    alertContext: (finding) => {
      const success = finding.steps[0]?.records.at(-1);
      const context: Record<string, JsonValue> = {
        account: finding.key,
        detection: detection(finding) ?? null,
        action_event_id: finding.trigger.eventId,
        action_at: iso(finding.trigger.time),
        brute_force_success_event_id: success?.eventId ?? null,
        brute_force_success_at: success === undefined ? null : iso(success.time),
        brute_force_success_source_ip: success?.detail ?? null,
        takeover_window_minutes: finding.lookbackMinutes,
      };
      return context;
    },
  };
}
