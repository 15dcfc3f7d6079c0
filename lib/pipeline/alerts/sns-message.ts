import type { JsonValue } from '../../shared/json.ts';
import type { AlertDocument } from './alert-document.ts';
import { SNS_MAX_MESSAGE_BYTES } from './constants.ts';
import { renderEmailText } from './email-text.ts';
import { alertSubject } from './subject.ts';

/** The parts of an SNS `Publish` request that carry an alert. */
export interface SnsAlertMessage {
  readonly Subject: string;
  readonly Message: string;
  readonly MessageStructure: 'json';
  readonly MessageAttributes: Record<string, { DataType: 'String'; StringValue: string }>;
}

/** Key set in the alert context when values had to be trimmed to fit SNS's size limit. */
export const TRIMMED_KEYS_FIELD = '_trimmed';

function attributesOf(alert: AlertDocument): SnsAlertMessage['MessageAttributes'] {
  const string = (value: string) => ({ DataType: 'String' as const, StringValue: value });
  return {
    severity: string(alert.severity),
    rule_id: string(alert.ruleId),
    log_type: string(alert.logType),
    alert_id: string(alert.alertId),
  };
}

function compose(alert: AlertDocument): SnsAlertMessage {
  return {
    Subject: alertSubject(alert),
    Message: JSON.stringify({ default: JSON.stringify(alert), email: renderEmailText(alert) }),
    MessageStructure: 'json',
    MessageAttributes: attributesOf(alert),
  };
}

/**
 * Size of a publish request as SNS counts it: message, subject and attributes (names, types and
 * values), in UTF-8 bytes.
 *
 * @example
 * ```ts
 * snsMessageBytes(buildSnsAlertMessage(alert)) <= 262_144; // true
 * ```
 */
export function snsMessageBytes(message: SnsAlertMessage): number {
  let bytes = Buffer.byteLength(message.Message) + Buffer.byteLength(message.Subject);
  for (const [name, value] of Object.entries(message.MessageAttributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType) + Buffer.byteLength(value.StringValue);
  }
  return bytes;
}

/**
 * The alert as it can be published: unchanged when its SNS message fits `maxBytes`; otherwise the
 * largest alert-context values are replaced by a note, one at a time, until it fits (their keys
 * listed in `_trimmed`). Identifying fields are never trimmed. This is the document a dedup window
 * stores, so every copy of an alert id carries the same content.
 *
 * @example
 * ```ts
 * const stored = JSON.stringify(fitAlert(alert));
 * ```
 */
export function fitAlert(alert: AlertDocument, maxBytes: number = SNS_MAX_MESSAGE_BYTES): AlertDocument {
  if (snsMessageBytes(compose(alert)) <= maxBytes) return alert;
  const context: Record<string, JsonValue> = { ...alert.alertContext };
  const trimmed: string[] = [];
  const sizes = new Map(Object.entries(context).map(([key, value]) => [key, Buffer.byteLength(JSON.stringify(value))]));
  for (const [key, size] of [...sizes.entries()].sort((a, b) => b[1] - a[1])) {
    context[key] = `[trimmed: ${size} bytes]`;
    trimmed.push(key);
    const candidate = { ...alert, alertContext: { ...context, [TRIMMED_KEYS_FIELD]: trimmed } };
    if (snsMessageBytes(compose(candidate)) <= maxBytes) return candidate;
  }
  return { ...alert, alertContext: { [TRIMMED_KEYS_FIELD]: trimmed } };
}

/**
 * The SNS message for an alert: `MessageStructure: json` with `default` (the alert document as
 * JSON) and `email` (plain text), a sanitised subject, and the attributes `severity`, `rule_id`,
 * `log_type` and `alert_id` for subscription filter policies. When the whole would exceed SNS's
 * 256 KB, the alert is trimmed by {@link fitAlert}.
 *
 * @example
 * ```ts
 * await sns.send(new PublishCommand({ TopicArn, ...buildSnsAlertMessage(alert) }));
 * ```
 */
export function buildSnsAlertMessage(alert: AlertDocument, maxBytes: number = SNS_MAX_MESSAGE_BYTES): SnsAlertMessage {
  return compose(fitAlert(alert, maxBytes));
}
