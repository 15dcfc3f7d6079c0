import { perEvent } from '../../engine/per-event.ts';
import type { Rule } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../openai/constants.ts';
import { textField } from '../../openai/text-field.ts';
import { deepGet } from '../../../util/deep-get.ts';
import type { JsonValue } from '../../../util/json.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './event-context.ts';

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

/** Entries that let every address through: an allowlist holding one is no control at all. */
const ANY_ADDRESS = new Set(['0.0.0.0/0', '0.0.0.0', '::/0', '::', '0/0', '*']);

function stringList(value: JsonValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * The addresses an allowlist event names, and whether one of them allows any address.
 *
 * @example
 * ```ts
 * allowedIps(details); // { ips: ['0.0.0.0/0'], allowsAny: true }
 * ```
 */
export function allowedIps(details: unknown): { ips: string[]; allowsAny: boolean } {
  const ips = stringList(deepGet(details, ['allowed_ips']));
  return { ips, allowsAny: ips.some((ip) => ANY_ADDRESS.has(ip.trim())) };
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
 * created and activated LOW); beyond Panther, an allowlist that allows any address
 * (`0.0.0.0/0`, `::/0`...) is CRITICAL whatever the change, since it removes the control.
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
    'Detects changes to OpenAI IP allowlist configurations including creation, updates, deletion,',
    'activation, and deactivation. IP allowlists restrict API and console access to specific IP',
    'addresses or CIDR ranges. Deleting or deactivating one removes a security control (CRITICAL);',
    'updates can add dangerous ranges (HIGH); creation and activation are recorded for visibility.',
    'An allowlist that allows any address (0.0.0.0/0, ::/0) is CRITICAL whatever the change.',
  ].join('\n'),
  runbook: [
    '1. Verify the IP allowlist change was authorized and aligns with approved network security policies. Review the specific IPs added, removed, or modified, and confirm they match expected organizational infrastructure.',
    '2. For deletions or deactivations, immediately assess if the organization is now exposed to unauthorized access. For updates, check if dangerous IPs like 0.0.0.0 (allow all), unknown ranges, or suspicious geolocations were added.',
    '3. If the change is unauthorized or suspicious, immediately revert the configuration, review all access from non-allowlisted IPs since the change, audit role assignments and API key usage, and escalate for security review.',
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'MEDIUM',
  dedupPeriodMinutes: 60,
  threshold: 1,
  logTypes: [OPENAI_AUDIT_LOG_TYPE],
  reports: { 'MITRE ATT&CK': ['TA0005:T1562.001', 'TA0005:T1562.007'] },
  tags: ['OpenAI', 'Defense Evasion', 'Network Controls'],
  eventTypes: Object.keys(ACTIONS),

  match: (event) => event.type !== undefined && Object.hasOwn(ACTIONS, event.type),

  title: (event) => `OpenAI IP Allowlist ${(event.type !== undefined && ACTIONS[event.type]?.action) || 'Modified'} by [${actorLabel(event)}]`,

  severity: (event) => {
    if (allowedOf(event).allowsAny) return 'CRITICAL';
    return (event.type !== undefined && ACTIONS[event.type]?.severity) || 'DEFAULT';
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
    if (allowedOf(event).allowsAny) context.allows_any_address = true;
    return Object.assign(context, extraContext(event));
  },
};
