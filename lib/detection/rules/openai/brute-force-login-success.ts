import type { CorrelationFinding } from '../../engine/correlation.ts';
import type { CorrelationRule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { loginAccount } from './helpers.ts';
import { LOGIN_FAILED_RULE_ID, LOGIN_SUCCESS_RULE_ID } from './login-signals.ts';

/** Rule id, kept from Panther. */
export const BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID = 'OpenAI.BruteForce.Login.Success.Group';

/** Failed logins needed before the success (Panther's `MinMatchCount`). */
export const BRUTE_FORCE_MIN_FAILURES = 5;

/** Panther's `LookbackWindowMinutes`: 30 hours (its description says "30 minutes"; the value rules). */
export const BRUTE_FORCE_LOOKBACK_MINUTES = 1800;

/** How many failed logins the alert lists by id and source. */
const LISTED = 20;

function iso(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}

function failures(finding: CorrelationFinding) {
  return finding.steps[0]?.records ?? [];
}

/**
 * "OpenAI Brute Force Login Success": at least five failed logins, then a successful login, for the
 * same account within the lookback. Panther's correlation rule, which Panther ships disabled; here
 * it runs in the pipeline (state in DynamoDB) and ships enabled. Beyond Panther: the success must
 * come after the failures (Panther's group ignores order, so a success followed by five failures
 * would fire), and the account is the resolved actor's email compared case-insensitively.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers bruteForceLoginSuccessRule after its two signals
 * ```
 */
export const bruteForceLoginSuccessRule: CorrelationRule<AuditEvent> = {
  kind: 'correlation',
  id: BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID,
  displayName: 'OpenAI Brute Force Login Success',
  description: [
    'Alerts when an OpenAI account that failed to log in at least 5 times then logs in successfully,',
    'all within the lookback window (30 hours). Failures followed by a success are what a guessed or',
    'stuffed password looks like from the audit log. It correlates the signals OpenAI.Login.Failed and',
    'OpenAI.Login.Success on the account: its email (case-insensitive), else its user id.',
  ].join('\n'),
  runbook: [
    "1. Ask the account owner, through a channel other than their OpenAI account or mailbox, whether the successful login was theirs; compare its source IP, place and user agent with the failures and with the owner's usual ones.",
    '2. If it was not theirs: reset the password, end every session, require SSO or multi-factor authentication, and list what the account did after the login (GET /v1/organization/audit_logs with actor_ids[]): API keys created, role assignments, invitations, setting changes. Revoke what it created.',
    '3. Check whether the failing source IPs also targeted other accounts of the organization (OpenAI.CredentialStuffing alerts, login.failed events by IP) and block them where you can.',
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'HIGH',
  reports: { 'MITRE ATT&CK': ['TA0001:T1110', 'TA0006:T1110.001', 'TA0006:T1110.003', 'TA0006:T1110.004'] },
  tags: ['OpenAI', 'Credential Access', 'Correlation'],
  pantherDifferences: {
    Enabled:
      'Panther ships this correlation disabled; here it runs in the pipeline with its state in DynamoDB, so it ships enabled',
  },
  steps: [
    { id: 'Multiple Failed Logins', ruleId: LOGIN_FAILED_RULE_ID, minMatchCount: BRUTE_FORCE_MIN_FAILURES },
    { id: 'Successful Login', ruleId: LOGIN_SUCCESS_RULE_ID, minMatchCount: 1 },
  ],
  lookbackMinutes: BRUTE_FORCE_LOOKBACK_MINUTES,

  correlationKey: (event: AuditEvent) => loginAccount(event),
  recordDetail: (event: AuditEvent) => event.actor.ipAddress,

  // The count is in the context, not the title: the title names one incident whatever order the
  // failures arrived in, so every copy and every delivery of its alert reads the same.
  title: (finding) => `OpenAI Brute Force Login Success: failed logins then a login for [${finding.key}]`,

  alertContext: (finding) => {
    const failed = failures(finding);
    const sources = [...new Set(failed.map((record) => record.detail).filter((ip): ip is string => ip !== undefined))];
    const context: Record<string, JsonValue> = {
      account: finding.key,
      failed_login_count: failed.length,
      failed_login_event_ids: failed.slice(-LISTED).map((record) => record.eventId),
      failed_login_source_ips: sources.slice(0, LISTED),
      distinct_failed_login_source_ips: sources.length,
      first_failure_at: failed[0] === undefined ? null : iso(failed[0].time),
      last_failure_at: failed.at(-1) === undefined ? null : iso(failed.at(-1)?.time ?? 0),
      success_event_id: finding.trigger.eventId,
      success_at: iso(finding.trigger.time),
      success_source_ip: finding.trigger.detail ?? '<UNKNOWN_SOURCE_IP>',
      lookback_minutes: finding.lookbackMinutes,
    };
    return context;
  },
};
