import { FALLBACK_SUBJECT, SUBJECT_MAX_LENGTH } from './constants.ts';

/**
 * Makes a string acceptable as an SNS subject: printable ASCII only (accents folded, anything else
 * `?`), no control characters, whitespace collapsed, under 100 characters, starting with a letter
 * or digit. Falls back to {@link FALLBACK_SUBJECT} when nothing usable is left.
 *
 * @example
 * ```ts
 * sanitizeSubject('HIGH: key by [zoë@example.com]\r\nBcc: x'); // 'HIGH: key by [zoe@example.com] Bcc: x'
 * ```
 */
export function sanitizeSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/gu, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/^[^A-Za-z0-9]+/, '')
    .trim();
  if (ascii === '') return FALLBACK_SUBJECT;
  return ascii.length <= SUBJECT_MAX_LENGTH ? ascii : `${ascii.slice(0, SUBJECT_MAX_LENGTH - 3).trimEnd()}...`;
}

/**
 * The subject of an alert: severity, then title; an escalation says so after the severity.
 *
 * @example
 * ```ts
 * alertSubject({ severity: 'HIGH', title: 'OpenAI API Key ...' }); // 'HIGH: OpenAI API Key ...'
 * alertSubject({ severity: 'HIGH', title: 'Key', escalatedFromSeverity: 'MEDIUM' }); // 'HIGH (escalated from MEDIUM): Key'
 * ```
 */
export function alertSubject(alert: {
  readonly severity: string;
  readonly title: string;
  readonly escalatedFromSeverity?: string | null;
}): string {
  const escalated = alert.escalatedFromSeverity ? ` (escalated from ${alert.escalatedFromSeverity})` : '';
  return sanitizeSubject(`${alert.severity}${escalated}: ${alert.title}`);
}
