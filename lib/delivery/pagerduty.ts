import type { AlertDocument } from '../pipeline/alerts/alert-document.ts';
import type { Severity } from '../detection/engine/severity.ts';
import type { JsonValue } from '../shared/json.ts';
import { printable } from '../shared/printable.ts';
import { escalatedFrom } from './alert-message.ts';
import {
  CLIENT_NAME,
  DETAIL_VALUE_MAX_CHARS,
  PAGERDUTY_DEDUP_KEY_MAX_CHARS,
  PAGERDUTY_MAX_REQUEST_BYTES,
  PAGERDUTY_SUMMARY_MAX_CHARS,
} from './constants.ts';
import { fitAlert } from './fit.ts';
import { cutChars, sanitizeValue } from './text.ts';
import { runbookLink } from './runbook-link.ts';

/** PagerDuty's event severities. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** Our severities on PagerDuty's four: HIGH pages as `error`, LOW and INFO are both `info`. */
export const PAGERDUTY_SEVERITY: Readonly<Record<Severity, PagerDutySeverity>> = {
  CRITICAL: 'critical',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'info',
  INFO: 'info',
};

/** What PagerDuty shows as the affected system: the audit log of the OpenAI organization. */
export const PAGERDUTY_SOURCE = 'OpenAI organization audit log';

/** A PagerDuty Events API v2 alert event (`trigger`). */
export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: 'trigger';
  readonly dedup_key: string;
  readonly client: string;
  readonly payload: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp: string;
    readonly component: string;
    readonly group: string;
    readonly class: string;
    readonly custom_details: Readonly<Record<string, JsonValue>>;
  };
  readonly links?: ReadonlyArray<{ readonly href: string; readonly text: string }>;
}

function runbookText(runbook: string): string {
  return runbook
    .split('\n')
    .map((line) => printable(line, DETAIL_VALUE_MAX_CHARS))
    .join('\n');
}

function event(alert: AlertDocument, routingKey: string, runbookUrl: string | undefined): PagerDutyEvent {
  const escalates = escalatedFrom(alert);
  const summary = `${escalates === undefined ? '' : 'ESCALATED '}${alert.severity}: ${printable(alert.title, PAGERDUTY_SUMMARY_MAX_CHARS * 2)}`;
  const context = sanitizeValue(alert.alertContext, DETAIL_VALUE_MAX_CHARS) as Record<string, JsonValue>;
  const details: Record<string, JsonValue> = {
    ...context,
    alert_id: alert.alertId,
    ...(escalates === undefined ? {} : { escalates_alert_id: escalates }),
    rule_id: printable(alert.ruleId),
    rule_name: printable(alert.ruleName),
    severity: alert.severity,
    event_id: alert.eventId === null ? null : printable(alert.eventId),
    event_type: alert.eventType === null ? null : printable(alert.eventType),
    event_time: alert.eventTime,
    event_count: alert.eventCount,
    window_ends_at: alert.windowEndsAt,
    runbook: runbookText(alert.runbook),
    mitre: alert.mitre.map((m) => printable(m)),
  };
  const links = [
    ...(runbookUrl === undefined ? [] : [{ href: runbookUrl, text: 'Runbook' }]),
    ...(/^https:\/\/\S+$/.test(alert.reference) ? [{ href: alert.reference, text: 'Rule reference' }] : []),
  ];
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: cutChars(alert.alertId, PAGERDUTY_DEDUP_KEY_MAX_CHARS),
    client: CLIENT_NAME,
    payload: {
      summary: cutChars(summary, PAGERDUTY_SUMMARY_MAX_CHARS),
      source: PAGERDUTY_SOURCE,
      severity: PAGERDUTY_SEVERITY[alert.severity],
      timestamp: alert.eventTime ?? alert.createdAt,
      component: printable(alert.eventType ?? 'unknown', 200),
      group: printable(alert.logType, 200),
      class: printable(alert.ruleId, 200),
      custom_details: details,
    },
    ...(links.length === 0 ? {} : { links }),
  };
}

/**
 * The PagerDuty Events API v2 request body for an alert, as JSON within PagerDuty's 512 KB:
 * `dedup_key` is the alert id, so every delivery of one alert (retries, SNS redeliveries) lands on
 * the same PagerDuty alert; the summary is `SEVERITY: title` within 1,024 characters; the alert
 * context, alert and event ids, runbook and MITRE tags are `custom_details`; the runbook (with a
 * `runbookBaseUrl`, see {@link runbookLink}) and the rule reference are links. An escalation (see {@link escalatedFrom}) has its own id, so it opens its own incident,
 * and says which alert it escalates. Every string from the event is sanitised and masked.
 *
 * @example
 * ```ts
 * const body = pagerDutyEventBody(alert, routingKey, 'https://wiki.example.com/runbooks/');
 * ```
 */
export function pagerDutyEventBody(alert: AlertDocument, routingKey: string, runbookBaseUrl?: string): string {
  const runbookUrl = runbookLink(runbookBaseUrl, alert.ruleId);
  return fitAlert(alert, (a) => JSON.stringify(event(a, routingKey, runbookUrl)), PAGERDUTY_MAX_REQUEST_BYTES);
}
