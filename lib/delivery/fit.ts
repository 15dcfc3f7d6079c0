import type { AlertDocument } from '../pipeline/alerts/alert-document.ts';
import { TRIMMED_KEYS_FIELD } from '../pipeline/alerts/sns-message.ts';
import type { JsonValue } from '../shared/json.ts';

/**
 * Renders an alert for a destination within a size limit. When the rendering is too large, the
 * largest alert-context values are replaced by `[trimmed: N bytes]` one at a time (their keys listed
 * in `_trimmed`, as on SNS) until it fits; identifying fields are never trimmed. Returns the last
 * rendering, which fits unless the alert without any context does not.
 *
 * @example
 * ```ts
 * const body = fitAlert(alert, (a) => JSON.stringify(render(a)), 512 * 1024);
 * ```
 */
export function fitAlert(alert: AlertDocument, render: (alert: AlertDocument) => string, maxBytes: number): string {
  let output = render(alert);
  if (Buffer.byteLength(output) <= maxBytes) return output;
  const context: Record<string, JsonValue> = { ...alert.alertContext };
  const sizes = Object.entries(context).map(([key, value]) => [key, Buffer.byteLength(JSON.stringify(value))] as const);
  const trimmed: string[] = [];
  for (const [key, size] of [...sizes].sort((a, b) => b[1] - a[1])) {
    context[key] = `[trimmed: ${size} bytes]`;
    trimmed.push(key);
    output = render({ ...alert, alertContext: { ...context, [TRIMMED_KEYS_FIELD]: trimmed } });
    if (Buffer.byteLength(output) <= maxBytes) return output;
  }
  return render({ ...alert, alertContext: { [TRIMMED_KEYS_FIELD]: trimmed } });
}
