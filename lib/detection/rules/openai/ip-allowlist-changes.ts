import { perEvent } from '../../engine/per-event.ts';
import type { Rule } from '../../engine/rule.ts';
import { maxSeverity, type Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textField } from '../../openai/text-field.ts';
import { deepGet } from '../../../shared/deep-get.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { printable } from '../../../shared/printable.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';
import { MAX_ALLOWLIST_ENTRIES, readAllowlist, showInvisible, type AllowlistReading } from './ip-ranges.ts';

/** Rule id, kept from Panther. */
export const IP_ALLOWLIST_CHANGES_RULE_ID = 'OpenAI.IP.Allowlist.Changes';

/** Per event type: the word in the title and the severity (Panther's). */
const ACTIONS: Readonly<Record<string, { readonly action: string; readonly severity: Severity }>> = {
  'ip_allowlist.created': { action: 'Created', severity: 'LOW' },
  'ip_allowlist.updated': { action: 'Updated', severity: 'HIGH' },
  'ip_allowlist.deleted': { action: 'Deleted', severity: 'CRITICAL' },
  'ip_allowlist.config.activated': { action: 'Activated', severity: 'LOW' },
  'ip_allowlist.config.deactivated': { action: 'Deactivated', severity: 'CRITICAL' },
};

function stringList(value: JsonValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** What {@link allowedIps} reads from an allowlist event. */
export interface AllowedIps extends AllowlistReading {
  /** The string entries of `allowed_ips`, as given (a bare string as a one-entry list). */
  readonly ips: string[];
  /** The entries cover all of IPv4 or all of IPv6 (see `readAllowlist`). */
  readonly allowsAny: boolean;
}

/**
 * The addresses an allowlist event names, and whether together they admit any address: every
 * IPv4 address or every IPv6 address, decided by address arithmetic on the first
 * {@link MAX_ALLOWLIST_ENTRIES} entries.
 *
 * @example
 * ```ts
 * allowedIps({ allowed_ips: ['0.0.0.0/1', '128.0.0.0/1'] }).allowsAny; // true
 * allowedIps({ allowed_ips: ['10.0.0.0/8'] }).allowsAny;                // false
 * ```
 */
export function allowedIps(details: unknown): AllowedIps {
  const ips = stringList(deepGet(details, ['allowed_ips']));
  const reading = readAllowlist(ips);
  return { ips, allowsAny: reading.anyIpv4 || reading.anyIpv6, ...reading };
}

/** The addresses of an event, read once for all of the rule's functions. */
const allowedOf = perEvent((event: AuditEvent) => allowedIps(event.details));

function configs(details: unknown): JsonValue[] {
  const value = deepGet(details, ['configs']);
  return Array.isArray(value) ? value.slice(0, 50) : [];
}

/**
 * "OpenAI IP Allowlist Configuration Changes": an IP allowlist created, updated, deleted, activated
 * or deactivated. Panther's severities per type (deleted and deactivated CRITICAL, updated HIGH,
 * created and activated LOW); beyond Panther, an allowlist whose ranges together cover all of IPv4
 * or all of IPv6 (`0.0.0.0/0`, `::0/0`, `0.0.0.0/1` with `128.0.0.0/1`, `::ffff:0.0.0.0/96`...)
 * is CRITICAL whatever the change, since it removes the control, and one with an entry hidden by
 * invisible characters, or too long to read whole, is at least HIGH.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers ipAllowlistChangesRule
 * ```
 */
export const ipAllowlistChangesRule: Rule<AuditEvent> = {
  id: IP_ALLOWLIST_CHANGES_RULE_ID,
  displayName: 'OpenAI IP Allowlist Configuration Changes',
  description: [
    "Alerts on every change to an OpenAI organization's IP allowlists: an allowlist created, updated or",
    'deleted, and the allowlist configuration activated or deactivated. An allowlist limits where the',
    'API and the platform can be used from, so removing or switching it off drops a control (CRITICAL),',
    'an update can open it to new ranges (HIGH), and creating or activating one is recorded (LOW).',
    'An allowlist whose ranges together admit every IPv4 or every IPv6 address (0.0.0.0/0, ::/0, or',
    'halves such as 0.0.0.0/1 and 128.0.0.0/1) is CRITICAL whatever the change; one with an entry',
    `hidden by invisible characters, or too long to read whole (over ${MAX_ALLOWLIST_ENTRIES} entries), is at least HIGH.`,
  ].join('\n'),
  runbook: [
    '1. Check the change against your network change process: which allowlist, which ranges were added or removed (allowed_ips in the alert context), and who made it from where.',
    '2. For a deactivation, a deletion or a range that admits any address, assume the organization is reachable from anywhere as of the event time: review logins and API key use from addresses outside your own ranges since then (GET /v1/organization/audit_logs with effective_at[gte]).',
    '3. If the change was not planned, restore the previous allowlist and reactivate it, then review what the acting account did around the change (role assignments, API keys, SSO and SCIM settings) and treat it as compromised until shown otherwise.',
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'MEDIUM',
  reports: { 'MITRE ATT&CK': ['TA0005:T1562.001', 'TA0005:T1562.007'] },
  tags: ['OpenAI', 'Defense Evasion', 'Network Controls'],
  eventTypes: Object.keys(ACTIONS),

  title: (event) =>
    `OpenAI IP Allowlist ${(event.type !== undefined && ACTIONS[event.type]?.action) || 'Modified'} by [${actorLabel(event)}]`,

  severity: (event) => {
    const allowed = allowedOf(event);
    if (allowed.allowsAny) return 'CRITICAL';
    const severity = (event.type !== undefined && ACTIONS[event.type]?.severity) || undefined;
    if (severity === undefined) return 'DEFAULT';
    return allowed.suspicious.length > 0 || allowed.truncated ? maxSeverity(severity, 'HIGH') : severity;
  },

  dedup: (event) => `${IP_ALLOWLIST_CHANGES_RULE_ID}:${event.type ?? ''}:${event.actor.key}`,

  alertContext: (event) => {
    const details = event.details;
    const context: Record<string, JsonValue> = Object.assign(eventIdentityContext(event), actorContext(event));
    context.ip_details = ipDetails(event);
    switch (event.type) {
      case 'ip_allowlist.created':
      case 'ip_allowlist.deleted':
        context.allowlist_id = textField(details, ['id']) ?? '<UNKNOWN_ALLOWLIST_ID>';
        context.allowlist_name = textField(details, ['name']) ?? '<UNKNOWN_ALLOWLIST_NAME>';
        context.allowed_ips = allowedOf(event).ips.slice(0, 200);
        break;
      case 'ip_allowlist.updated':
        context.allowlist_id = textField(details, ['id']) ?? '<UNKNOWN_ALLOWLIST_ID>';
        context.allowed_ips = allowedOf(event).ips.slice(0, 200);
        break;
      case 'ip_allowlist.config.activated':
        context.activated_configs = configs(details);
        break;
      case 'ip_allowlist.config.deactivated':
        context.deactivated_configs = configs(details);
        break;
    }
    const allowed = allowedOf(event);
    if (allowed.allowsAny) {
      context.allows_any_address = true;
      context.covered_address_families = [...(allowed.anyIpv4 ? ['IPv4'] : []), ...(allowed.anyIpv6 ? ['IPv6'] : [])];
    }
    if (allowed.suspicious.length > 0) {
      context.suspicious_allowed_ips = allowed.suspicious.map((entry) => printable(showInvisible(entry), 100));
    }
    if (allowed.truncated) context.allowed_ips_truncated = true;
    return Object.assign(context, extraContext(event));
  },
};
