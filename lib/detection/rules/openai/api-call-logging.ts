import { perEvent } from '../../engine/per-event.ts';
import type { Rule } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember, textValue } from '../../openai/text-field.ts';
import { deepGet } from '../../../shared/deep-get.ts';
import { isJsonObject, type JsonValue } from '../../../shared/json.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const API_CALL_LOGGING_RULE_ID = 'OpenAI.API.Call.Logging.Disabled';

/** Project ids listed in the alert context at most; the rest are counted. */
export const MAX_LISTED_PROJECT_IDS = 200;
/** Characters of an unrecognised mode shown in the title. */
const MAX_SHOWN_MODE = 64;

/**
 * The modes OpenAI documents for `changes_requested.api_call_logging` (`organization.updated`,
 * OpenAPI L331-335), lower-cased, and what setting each one means for this rule.
 */
const MODES: Readonly<Record<string, 'disabled' | 'narrowed' | 'full'>> = {
  disabled: 'disabled',
  enabled_per_call: 'narrowed',
  enabled_for_selected_projects: 'narrowed',
  enabled_for_all_projects: 'full',
};

/** What an `organization.updated` event does to API call logging. */
export interface ApiCallLoggingChange {
  /**
   * `none`: the field is absent (or null), or set to `enabled_for_all_projects`; `disabled`;
   * `narrowed`: per call, or selected projects only; `unrecognised`: a value OpenAI does not document.
   */
  readonly kind: 'none' | 'disabled' | 'narrowed' | 'unrecognised';
  /** The value as the event gives it (absent when the field is). */
  readonly value: JsonValue | undefined;
  /** A documented mode, trimmed and lower-cased. */
  readonly mode: string | undefined;
}

/**
 * Reads `changes_requested.api_call_logging` of an `organization.updated` payload. Documented modes
 * are compared trimmed and case-insensitively; anything else that is present and not null (another
 * string, a blank one, a number, a boolean, an object) is `unrecognised`: a mode OpenAI adds later
 * may narrow logging, so it is reported rather than ignored.
 *
 * @example
 * ```ts
 * apiCallLoggingChange({ changes_requested: { api_call_logging: ' Disabled ' } }); // { kind: 'disabled', mode: 'disabled', ... }
 * apiCallLoggingChange({ changes_requested: { title: 'Acme' } });                 // { kind: 'none', ... }
 * ```
 */
export function apiCallLoggingChange(details: unknown): ApiCallLoggingChange {
  const value = deepGet(details, ['changes_requested', 'api_call_logging']);
  if (value === undefined) return { kind: 'none', value, mode: undefined };
  const normalized = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const setting = normalized === undefined ? undefined : MODES[normalized];
  if (setting === undefined) return { kind: 'unrecognised', value, mode: undefined };
  return { kind: setting === 'full' ? 'none' : setting, value, mode: normalized };
}

/**
 * The project ids of `changes_requested.api_call_logging_project_ids`. OpenAI declares the field a
 * string holding "the list of project ids" (L336-339) without saying how they are separated, so a
 * string is read as a JSON array when it looks like one, else split on commas, semicolons and
 * whitespace; a real list is read item by item. Undefined when the field is absent.
 *
 * @example
 * ```ts
 * projectIds('proj_a, proj_b');     // ['proj_a', 'proj_b']
 * projectIds(['proj_a', 'proj_b']); // ['proj_a', 'proj_b']
 * projectIds('["proj_a"]');         // ['proj_a']
 * ```
 */
export function projectIds(value: JsonValue | undefined): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.flatMap((item) => textValue(item) ?? []);
  if (typeof value !== 'string') return [textValue(value) ?? JSON.stringify(value)];
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.flatMap((item) => textValue(item) ?? []);
    } catch {
      // Not JSON after all: split it like any other string.
    }
  }
  return text.split(/[\s,;]+/).filter((id) => id !== '');
}

/** The change of an event, read once for all of the rule's functions. */
const changeOf = perEvent((event: AuditEvent) => apiCallLoggingChange(event.details));

function shownValue(value: JsonValue | undefined): string {
  const text = typeof value === 'string' ? value.trim() : (JSON.stringify(value) ?? '');
  return text.length > MAX_SHOWN_MODE ? `${text.slice(0, MAX_SHOWN_MODE)}…` : text;
}

/**
 * "OpenAI API Call Logging Disabled or Narrowed": an `organization.updated` event that turns API call
 * logging off (HIGH), narrows it to flagged calls or selected projects (MEDIUM), or sets a mode
 * OpenAI does not document (MEDIUM). Re-enabling it for all projects, or changing other settings
 * only, does not alert.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers apiCallLoggingRule
 * ```
 */
export const apiCallLoggingRule: Rule<AuditEvent> = {
  id: API_CALL_LOGGING_RULE_ID,
  displayName: 'OpenAI API Call Logging Disabled or Narrowed',
  description: [
    "Alerts when an OpenAI organization's API call logging is switched off or narrowed",
    '(organization.updated with changes_requested.api_call_logging). Logged API calls are the only',
    'record of the prompts and responses that went through the organization, so turning logging off',
    '(HIGH), or limiting it to calls that ask for it or to selected projects (MEDIUM), blinds an',
    'investigation of data exfiltration or abuse from then on. A mode OpenAI does not document is',
    'reported at MEDIUM: it may narrow logging too. Enabling logging for all projects does not alert.',
  ].join('\n'),
  runbook: [
    '1. Confirm the change with the owner of the organization settings: a privacy or zero-data-retention programme switching logging off is ticketed in advance; anything else is suspect.',
    '2. Read api_call_logging and api_call_logging_project_ids in the alert: which projects still log. Those outside the list (or all of them, for disabled) are unlogged from the event time on.',
    "3. Review the acting account's other changes and the API activity of the unlogged projects since the event (GET /v1/organization/audit_logs with effective_at[gte]; usage per project): new API keys, service accounts, role changes and usage spikes are what logging was switched off to hide.",
    '4. If the change was not planned, restore the previous logging mode, and treat the acting account as compromised until shown otherwise (reset its credentials and sessions, revoke the API keys it created).',
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'HIGH',
  reports: { 'MITRE ATT&CK': ['TA0005:T1562.008'] },
  tags: ['OpenAI', 'Defense Evasion', 'Logging'],
  eventTypes: ['organization.updated'],

  match: (event) => changeOf(event).kind !== 'none',

  title: (event) => {
    const change = changeOf(event);
    const actor = actorLabel(event);
    if (change.kind === 'disabled') return `OpenAI API Call Logging Disabled by [${actor}]`;
    if (change.kind === 'narrowed') return `OpenAI API Call Logging Narrowed to ${change.mode ?? ''} by [${actor}]`;
    return `OpenAI API Call Logging Set to Unrecognised Mode "${shownValue(change.value)}" by [${actor}]`;
  },

  severity: (event): Severity | 'DEFAULT' => {
    const kind = changeOf(event).kind;
    if (kind === 'disabled') return 'HIGH';
    return kind === 'narrowed' || kind === 'unrecognised' ? 'MEDIUM' : 'DEFAULT';
  },

  dedup: (event) => `${API_CALL_LOGGING_RULE_ID}:${event.actor.key}`,

  alertContext: (event) => {
    const details = event.details;
    const change = changeOf(event);
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    context.organization_id = textMember(details, 'id') ?? '<UNKNOWN_ORGANIZATION_ID>';
    context.api_call_logging = typeof change.value === 'string' ? change.value : shownValue(change.value);
    context.api_call_logging_change = change.kind;
    const ids = projectIds(deepGet(details, ['changes_requested', 'api_call_logging_project_ids']));
    if (ids !== undefined) {
      context.api_call_logging_project_ids = ids.slice(0, MAX_LISTED_PROJECT_IDS);
      if (ids.length > MAX_LISTED_PROJECT_IDS)
        context.api_call_logging_project_ids_omitted = ids.length - MAX_LISTED_PROJECT_IDS;
    }
    const requested = deepGet(details, ['changes_requested']);
    if (isJsonObject(requested)) context.changes_requested_keys = Object.keys(requested).slice(0, 50);
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    return Object.assign(context, extraContext(event));
  },
};
