import type { AlertDocument } from '../pipeline/alerts/alert-document.ts';
import { parseSeverity } from '../detection/engine/severity.ts';
import { isJsonObject, ownValue, type JsonObject } from '../shared/json.ts';

/** The alert in a delivery-queue message, or why there is none. */
export type ParsedAlertMessage =
  { readonly ok: true; readonly alert: AlertDocument } | { readonly ok: false; readonly reason: string };

/**
 * Alert ids become PagerDuty's `dedup_key` (at most 255 characters) and Standard Webhooks'
 * `webhook-id` (which must not contain a full stop): letters, digits, `_`, `-` and `:` only.
 */
const ALERT_ID = /^[A-Za-z0-9_:-]{1,200}$/;

const REQUIRED_STRINGS = [
  'ruleId',
  'ruleName',
  'title',
  'dedupKey',
  'createdAt',
  'windowEndsAt',
  'description',
  'runbook',
  'reference',
  'logType',
] as const;
const NULLABLE_STRINGS = ['eventId', 'eventType', 'eventTime'] as const;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The alert document inside whatever the delivery queue received: the document itself (SNS raw
 * message delivery sends the `default` member of the alert's MessageStructure), an SNS notification
 * envelope around it, or the whole `{"default", "email"}` structure (what emulators pass through).
 */
function unwrap(body: string): unknown {
  let value = parseJson(body);
  if (isJsonObject(value) && ownValue(value, 'Type') === 'Notification') {
    const message = ownValue(value, 'Message');
    value = typeof message === 'string' ? parseJson(message) : undefined;
  }
  if (isJsonObject(value)) {
    const inner = ownValue(value, 'default');
    if (typeof inner === 'string' && !Object.hasOwn(value, 'alertId')) value = parseJson(inner);
  }
  return value;
}

function check(document: JsonObject): string | undefined {
  const alertId = ownValue(document, 'alertId');
  if (typeof alertId !== 'string') return 'alertId: missing or not a string';
  if (!ALERT_ID.test(alertId)) return 'alertId: expected 1-200 letters, digits, "_", "-" or ":"';
  if (typeof ownValue(document, 'version') !== 'number') return 'version: missing or not a number';
  if (parseSeverity(ownValue(document, 'severity')) !== ownValue(document, 'severity'))
    return 'severity: expected one of INFO, LOW, MEDIUM, HIGH, CRITICAL';
  for (const key of REQUIRED_STRINGS)
    if (typeof ownValue(document, key) !== 'string') return `${key}: missing or not a string`;
  for (const key of NULLABLE_STRINGS) {
    const value = ownValue(document, key);
    if (value !== null && typeof value !== 'string') return `${key}: expected a string or null`;
  }
  if (typeof ownValue(document, 'eventCount') !== 'number') return 'eventCount: missing or not a number';
  const mitre = ownValue(document, 'mitre');
  if (!Array.isArray(mitre) || !mitre.every((m) => typeof m === 'string')) return 'mitre: expected a list of strings';
  if (!isJsonObject(ownValue(document, 'alertContext'))) return 'alertContext: missing or not an object';
  const escalates = ownValue(document, 'escalatesAlertId');
  if (escalates !== undefined && escalates !== null && (typeof escalates !== 'string' || !ALERT_ID.test(escalates))) {
    return 'escalatesAlertId: expected an alert id or null';
  }
  return undefined;
}

/**
 * Reads the alert from a delivery-queue message body, checking every field the destinations use.
 * A body that holds no valid alert gets a reason naming the field (never quoting the body), so it
 * can be dead-lettered with that reason.
 *
 * @example
 * ```ts
 * const parsed = alertFromDeliveryMessage(record.body);
 * if (!parsed.ok) deadLetter(record, parsed.reason);
 * ```
 */
export function alertFromDeliveryMessage(body: string): ParsedAlertMessage {
  const value = unwrap(body);
  if (value === undefined) return { ok: false, reason: 'the message body is not JSON' };
  if (!isJsonObject(value))
    return { ok: false, reason: 'the message body is not an alert document (not a JSON object)' };
  const problem = check(value);
  if (problem !== undefined) return { ok: false, reason: `the message body is not an alert document: ${problem}` };
  return { ok: true, alert: value as unknown as AlertDocument };
}

/**
 * The id of the earlier alert this one escalates (same dedup key, higher severity), if any. The
 * detection pipeline sets `escalatesAlertId` on an escalation; every other alert has none.
 *
 * @example
 * ```ts
 * escalatedFrom(alert); // '328f2bde2e79e594cf21a3eada0c0756', or undefined
 * ```
 */
export function escalatedFrom(alert: AlertDocument): string | undefined {
  const value = (alert as AlertDocument & { readonly escalatesAlertId?: unknown }).escalatesAlertId;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
