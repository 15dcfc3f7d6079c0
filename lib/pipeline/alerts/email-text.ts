import type { JsonValue } from '../../shared/json.ts';
import { printable } from '../../shared/printable.ts';
import type { AlertDocument } from './alert-document.ts';
import { EMAIL_VALUE_MAX_LENGTH } from './constants.ts';

// Context keys shown first, with a label, in this order; every other key follows as it is.
const LABELLED: ReadonlyArray<readonly [string, string]> = [
  ['actor_email', 'Actor email'],
  ['actor_id', 'Actor id'],
  ['actor_type', 'Actor type'],
  ['api_key_id', 'API key'],
  ['key_permissions', 'Permissions'],
  ['api_key_scopes', 'Scopes'],
  ['elevated_scopes', 'Elevated scopes'],
  ['source_ip', 'Source IP'],
  ['source_city', 'City'],
  ['source_region', 'Region'],
  ['source_country', 'Country'],
  ['user_agent', 'User agent'],
  ['project_id', 'Project'],
];

function text(value: JsonValue | undefined): string {
  let shown: string;
  if (typeof value === 'string') shown = value;
  else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) shown = value.join(', ');
  else shown = JSON.stringify(value) ?? '';
  return printable(shown, EMAIL_VALUE_MAX_LENGTH);
}

function block(value: string): string {
  // Multi-line rule text stays multi-line, but no line can carry control or bidi characters.
  return value
    .split('\n')
    .map((line) => printable(line, 2000))
    .join('\n');
}

/**
 * The plain-text email body of an alert. Every value from the event is escaped (no control, bidi
 * or invisible characters) and cut to a readable length.
 *
 * @example
 * ```ts
 * const body = renderEmailText(alert);
 * ```
 */
export function renderEmailText(alert: AlertDocument): string {
  const context = alert.alertContext;
  const lines: string[] = [
    printable(alert.title, 1000),
    '',
    `Severity:     ${alert.severity}`,
    `Rule:         ${printable(alert.ruleName)} (${printable(alert.ruleId)})`,
    `Event time:   ${alert.eventTime ?? 'unknown'}`,
    `Event:        ${printable(alert.eventId ?? 'unknown')} (${printable(alert.eventType ?? 'unknown')})`,
    `Alert id:     ${alert.alertId}`,
    `Alert window: ${alert.windowStart} to ${alert.windowEndsAt} (event time); later matches are counted, not re-sent, unless more severe`,
    ...(alert.escalatesAlertId
      ? [
          `Escalation:   from ${alert.escalatedFromSeverity ?? 'a lower severity'}; the window's first alert is ${alert.escalatesAlertId}`,
        ]
      : []),
    '',
    'Details:',
  ];
  const shown = new Set<string>();
  for (const [key, label] of LABELLED) {
    if (!Object.hasOwn(context, key)) continue;
    shown.add(key);
    lines.push(`  ${`${label}:`.padEnd(17)}${text(context[key])}`);
  }
  for (const [key, value] of Object.entries(context)) {
    if (!shown.has(key)) lines.push(`  ${printable(key, 60)}: ${text(value)}`);
  }
  lines.push('', 'Runbook:', block(alert.runbook), '', `Reference: ${printable(alert.reference, 1000)}`);
  if (alert.mitre.length > 0) lines.push(`MITRE ATT&CK: ${alert.mitre.map((m) => printable(m)).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
