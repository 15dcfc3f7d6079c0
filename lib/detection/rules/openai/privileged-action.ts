import type { Rule } from '../../engine/rule.ts';
import { parseSeverity, severityRank, type Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';

/** Rule id of the signal. */
export const PRIVILEGED_ACTION_RULE_ID = 'OpenAI.Privileged.Action';

/** The least severe finding of a part that counts: LOW findings (a trust deleted, a policy loosened a little) do not. */
const LEAST_PART_SEVERITY: Severity = 'MEDIUM';

/** Panther's convention for base rules: a threshold no one reaches, since they never alert anyway. */
const SIGNAL_THRESHOLD = 999_999;

/** The detection of persistence, privilege or defence impairment an event is, with its severity. */
export interface PrivilegedAction {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: Severity;
}

function partSeverity(part: Rule<AuditEvent>, event: AuditEvent): Severity {
  return parseSeverity(part.severity?.(event)) ?? part.defaultSeverity;
}

/**
 * The first of `parts` (control-plane detections) that judges the event persistence, privilege
 * escalation or defence impairment at MEDIUM or above; `undefined` when none does. Their own logic
 * decides, whether or not those rules are enabled.
 *
 * @example
 * ```ts
 * privilegedAction([adminApiKeyChangeRule], event)?.ruleId; // 'OpenAI.Admin.API.Key.Change'
 * ```
 */
export function privilegedAction(parts: readonly Rule<AuditEvent>[], event: AuditEvent): PrivilegedAction | undefined {
  for (const part of parts) {
    if (event.type === undefined || !(part.eventTypes ?? []).includes(event.type)) continue;
    if (part.match !== undefined && !part.match(event)) continue;
    const severity = partSeverity(part, event);
    if (severityRank(severity) < severityRank(LEAST_PART_SEVERITY)) continue;
    return { ruleId: part.id, ruleName: part.displayName ?? part.id, severity };
  }
  return undefined;
}

/**
 * "OpenAI Privileged Action (Base Rule)": every event one of `parts` judges persistence, privilege
 * escalation or defence impairment (see {@link privilegedAction}), as a signal: never an alert on
 * its own, a step of the takeover chain after a brute-force login success.
 *
 * @example
 * ```ts
 * createPrivilegedActionSignal([adminApiKeyChangeRule, serviceAccountOwnerRule]);
 * ```
 */
export function createPrivilegedActionSignal(parts: readonly Rule<AuditEvent>[]): Rule<AuditEvent> {
  return {
    id: PRIVILEGED_ACTION_RULE_ID,
    displayName: 'OpenAI Privileged Action (Base Rule)',
    description: [
      'Records, as a signal, every action of persistence, privilege escalation or defence impairment that',
      'the control-plane detections rate MEDIUM or above (an admin API key, an owner, an SSO, SCIM or logging',
      'change, a workload identity trust, a custom admin role, an IP allowlist weakened): never an alert on',
      'its own, a step of OpenAI.Account.Takeover.Chain.BruteForce.',
    ].join('\n'),
    runbook: 'A signal; it creates no alert. See OpenAI.Account.Takeover.Chain.BruteForce.',
    reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
    defaultSeverity: 'INFO',
    threshold: SIGNAL_THRESHOLD,
    tags: ['OpenAI', 'Signal'],
    createAlert: false,
    eventTypes: [...new Set(parts.flatMap((part) => part.eventTypes ?? []))],
    match: (event) => privilegedAction(parts, event) !== undefined,
  };
}
