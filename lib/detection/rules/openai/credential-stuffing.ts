import type { Rule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { extraContext, LOGIN_FAILED, loginAccount } from './helpers.ts';

/** Rule id, kept from Panther. */
export const CREDENTIAL_STUFFING_RULE_ID = 'OpenAI.CredentialStuffing';

/**
 * "OpenAI Credential Stuffing": failed logins against one account from at least five **distinct**
 * source IPs within 30 minutes (threshold 5 over `unique()` = the source IP, Panther's semantics).
 * Beyond Panther: the account is the resolved actor's email compared case-insensitively (else its
 * user id), so `Alice@x` and `alice@x` are one account and accounts with a user id but no email are
 * not pooled under `UNKNOWN_EMAIL` (only events with neither share `unknown-account`).
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers credentialStuffingRule
 * ```
 */
export const credentialStuffingRule: Rule<AuditEvent> = {
  id: CREDENTIAL_STUFFING_RULE_ID,
  displayName: 'OpenAI Credential Stuffing',
  description: [
    'Alerts when failed logins to one OpenAI account come from at least five different source IPs within',
    'a 30-minute window. Spreading guesses over many addresses is how credential-stuffing tools dodge',
    'per-IP rate limits, so the count of distinct sources, not of attempts, is what this rule watches.',
    'OpenAI.BruteForce.Login.Success.Group then tells whether one of those attempts got in.',
  ].join('\n'),
  runbook: [
    '1. List every login.failed and login.succeeded event of the targeted account for the window (GET /v1/organization/audit_logs with event_types[] and actor_emails[]): the alert names the account and only the source IP that crossed the threshold.',
    '2. Look up the source IPs in your threat intelligence (VPN and proxy ranges, hosting providers, known botnets) and check whether the same addresses also failed against other accounts of the organization.',
    '3. If any login succeeded, or the account shows activity from an unfamiliar place, handle it as a compromised account: reset the password, end its sessions, check its API keys and role changes. Otherwise make sure the account uses SSO or multi-factor authentication and keep watching it.',
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'MEDIUM',
  dedupPeriodMinutes: 30,
  threshold: 5,
  reports: { 'MITRE ATT&CK': ['TA0006:T1110.004'] },
  tags: ['OpenAI', 'Credential Access'],
  eventTypes: [LOGIN_FAILED],

  // Failed logins without a source IP all count as one "unknown" source, as in Panther.
  unique: (event) => event.actor.ipAddress ?? 'UNKNOWN_IP',

  dedup: (event) => `${CREDENTIAL_STUFFING_RULE_ID}:${loginAccount(event) ?? 'unknown-account'}`,

  title: (event) =>
    `[OpenAI] Credential stuffing detected against account [${event.actor.email ?? event.actor.userId ?? 'UNKNOWN_EMAIL'}]`,

  alertContext: (event) => {
    const { actor } = event;
    const context: Record<string, JsonValue> = {
      email: actor.email ?? 'UNKNOWN_EMAIL',
      ip_address: actor.ipAddress ?? 'UNKNOWN_IP',
      error_code: textMember(event.details, 'error_code') ?? 'UNKNOWN',
      account: loginAccount(event) ?? 'unknown-account',
    };
    if (actor.userId !== undefined) context.user_id = actor.userId;
    if (actor.userAgent !== undefined) context.user_agent = actor.userAgent;
    const errorMessage = textMember(event.details, 'error_message');
    if (errorMessage !== undefined) context.error_message = errorMessage;
    return Object.assign(context, extraContext(event));
  },
};
