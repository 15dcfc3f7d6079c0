import type { BaselineRule, BaselineSubject, Rule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { actorContext, actorLabel, eventIdentityContext } from './helpers.ts';
import { privilegedAction } from './privileged-action.ts';
import { ASN, COUNTRY, newValue, SESSION_SOURCE, sessionUser } from './session-source.ts';

/** Rule id. */
export const TAKEOVER_CHAIN_RULE_ID = 'OpenAI.Account.Takeover.Chain';

/** How soon after a new country or network first shows up an action still counts as the chain's next step. */
export const TAKEOVER_WINDOW_MINUTES = 60;

function sourceLabel(subject: BaselineSubject<AuditEvent>): string {
  const country = newValue(subject, COUNTRY);
  const asn = newValue(subject, ASN);
  const parts = [country === undefined ? '' : `Country ${country}`, asn === undefined ? '' : `ASN AS${asn}`];
  return parts.filter((part) => part !== '').join(' and ');
}

/**
 * "Takeover chain": an action of persistence, privilege escalation or defence impairment (what the
 * control-plane detections in `parts` judge so, at MEDIUM or above) by a user acting from a country
 * or network (ASN) first seen for them at most an hour before: typically a login from a new place,
 * then an admin key, an owner, an SSO change or a logging change made from there. CRITICAL.
 *
 * A first-seen baseline (the same dimensions as `OpenAI.Credential.New.Source`), learned from every
 * session event of the user, with `newForMinutes: 60`; the parts' own logic decides what counts,
 * whether or not those rules are enabled.
 *
 * @example
 * ```ts
 * createTakeoverChainRule([adminApiKeyChangeRule, serviceAccountOwnerRule]);
 * ```
 */
export function createTakeoverChainRule(parts: readonly Rule<AuditEvent>[]): BaselineRule<AuditEvent> {
  const triggers = [...new Set(parts.flatMap((part) => part.eventTypes ?? []))];
  const step = (event: AuditEvent) => privilegedAction(parts, event);
  return {
    kind: 'baseline',
    id: TAKEOVER_CHAIN_RULE_ID,
    displayName: 'OpenAI Account Takeover Chain',
    description: [
      'Alerts when a user performs an action of persistence, privilege escalation or defence impairment',
      '(an admin API key, a service account or user made owner, an SSO, SCIM or session policy change,',
      'API call logging disabled, a workload identity trust, a custom admin role, an IP allowlist weakened)',
      'from a country or network (ASN) first seen for that user within the hour before: a login from',
      'a new place followed by what an intruder does first. The user is learned for 7 days first.',
    ].join('\n'),
    runbook: [
      '1. Treat the account as compromised until the user confirms, through a channel other than their OpenAI account or mailbox, both the login from the new place (country and ASN in the alert) and the action.',
      '2. If either is not theirs: end every session of the user, reset the password and require SSO or multi-factor authentication, then undo the action (revoke the admin key, demote the owner or service account, restore the SSO, SCIM, logging or allowlist setting, remove the role or trust).',
      "3. List everything the user did since the first event from the new place (GET /v1/organization/audit_logs with actor_ids[]) and every other alert of this user's; check whether the same ASN shows up for other users.",
    ].join('\n'),
    reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
    defaultSeverity: 'CRITICAL',
    reports: { 'MITRE ATT&CK': ['TA0001:T1078.004', 'TA0003:T1098', 'TA0005:T1562'] },
    tags: ['OpenAI', 'Account Takeover', 'Baseline', 'Correlation'],
    eventTypes: triggers,
    newForMinutes: TAKEOVER_WINDOW_MINUTES,

    // The session user and where it comes from, as OpenAI.Credential.New.Source learns them.
    actor: sessionUser,
    dimensions: SESSION_SOURCE,
    match: (event) => step(event) !== undefined,

    title: (subject) =>
      `OpenAI Account Takeover Chain: ${step(subject.event)?.ruleName ?? 'privileged action'} from New ${sourceLabel(subject)} by [${actorLabel(subject.event)}]`,

    // One alert per user and new source per hour, whatever they did from there.
    dedup: ({ actor, newValues }) =>
      `${TAKEOVER_CHAIN_RULE_ID}:${actor}:${newValues.map((value) => `${value.dimension}=${value.value}`).join(',')}`,

    alertContext: (subject) => {
      const { event } = subject;
      const found = step(event);
      const context: Record<string, JsonValue> = {
        ...eventIdentityContext(event),
        detection: found?.ruleId ?? null,
        detection_severity: found?.severity ?? null,
        new_country: newValue(subject, COUNTRY) ?? null,
        new_asn: newValue(subject, ASN) ?? null,
        source_country: event.actor.country ?? null,
        source_asn: event.actor.asn ?? null,
        source_city: event.actor.city ?? null,
        takeover_window_minutes: TAKEOVER_WINDOW_MINUTES,
        ...actorContext(event),
      };
      return context;
    },
  };
}
