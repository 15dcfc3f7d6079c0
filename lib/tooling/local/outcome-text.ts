import { MATCH_OUTCOME_MESSAGES } from '../../pipeline/detect/log-messages.ts';
import { printable } from '../../shared/printable.ts';

/** The fields of a log record, as the detection function writes them. */
type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

const PAD = ' '.repeat(10);

/**
 * One readable line for a match that did not alert (suppressed in an alerted window, counted below
 * a threshold, already counted, suppressed by the rules configuration), from the detection
 * function's log record of it; `undefined` for any other record. Every value is escaped.
 *
 * @example
 * ```ts
 * outcomeText(MATCH_OUTCOME_MESSAGES.belowThreshold, { ruleId: 'OpenAI.CredentialStuffing', eventId: 'e1', eventCount: 2, threshold: 5 });
 * // '          below threshold  OpenAI.CredentialStuffing · event e1 · 2 of 5 in its window\n'
 * ```
 */
export function outcomeText(message: string, fields: LogFields): string | undefined {
  const what = `${String(fields.ruleId ?? 'unknown rule')} · event ${String(fields.eventId || 'unknown')}`;
  let line: string;
  switch (message) {
    case MATCH_OUTCOME_MESSAGES.suppressed:
      line = `suppressed       ${what} · its window already alerted (alert ${String(fields.alertId ?? '?')})`;
      break;
    case MATCH_OUTCOME_MESSAGES.belowThreshold:
      line = `below threshold  ${what} · ${String(fields.eventCount ?? '?')} of ${String(fields.threshold ?? '?')} in its window`;
      break;
    case MATCH_OUTCOME_MESSAGES.duplicate:
      line = `redelivered      ${what} · already counted in its window`;
      break;
    case MATCH_OUTCOME_MESSAGES.suppressedByRules:
      line = `suppressed by the rules configuration  ${what} · ${String(fields.reason ?? '')}`;
      break;
    default:
      return undefined;
  }
  return `${PAD}${printable(line, 400)}\n`;
}
