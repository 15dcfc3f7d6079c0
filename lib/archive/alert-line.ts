import { SEVERITIES, parseSeverity, type Severity } from '../detection/engine/severity.ts';
import { ownValue, type JsonObject } from '../shared/json.ts';
import { isArchiveTime, utcDay } from './day.ts';
import { objectLine } from './object-line.ts';

/**
 * What the archive needs of an alert to write it: its id (the object's name) and its creation
 * time (its `dt`). The pipeline's alert document (`AlertDocument`) is one; it is written whole.
 *
 * @example
 * ```ts
 * const alert: ArchivableAlert = { alertId: '7885288cb029e201331629ee3b2b2a39', createdAt: '2024-11-24T06:36:21.000Z' };
 * ```
 */
export interface ArchivableAlert {
  readonly alertId: string;
  readonly createdAt: string;
}

/**
 * An alert document read back from the archive: the JSON the pipeline published, with the fields
 * the readers rely on checked.
 *
 * @example
 * ```ts
 * for await (const alert of readArchivedAlerts(store, range)) console.log(alert.createdAt, alert.severity, alert.title);
 * ```
 */
export type ArchivedAlert = JsonObject & {
  readonly alertId: string;
  readonly createdAt: string;
  readonly severity: Severity;
  readonly ruleId: string;
  readonly title: string;
};

/**
 * The time (ms) an alert was created, from its `createdAt`; throws a `RangeError` when that is not
 * an ISO 8601 time a key can place.
 *
 * @example
 * ```ts
 * alertCreatedMs({ alertId: 'a1', createdAt: '2024-11-24T06:36:21.000Z' }); // 1732430181000
 * ```
 */
export function alertCreatedMs(alert: ArchivableAlert): number {
  const ms = typeof alert.createdAt === 'string' ? Date.parse(alert.createdAt) : Number.NaN;
  if (!isArchiveTime(ms))
    throw new RangeError(`alert createdAt is not an ISO 8601 time: ${JSON.stringify(alert.createdAt)}`);
  return ms;
}

/**
 * The `dt` partition of an alert: the UTC date of its `createdAt`.
 *
 * @example
 * ```ts
 * alertDay({ alertId: 'a1', createdAt: '2024-11-24T06:36:21.000Z' }); // '2024-11-24'
 * ```
 */
export function alertDay(alert: ArchivableAlert): string {
  return utcDay(alertCreatedMs(alert));
}

/**
 * The one line of an alert's object: the alert document's JSON, as published.
 *
 * @example
 * ```ts
 * encodeAlertLine(alertDocument); // '{"version":1,"alertId":"7885...","ruleId":...}'
 * ```
 */
export function encodeAlertLine(alert: ArchivableAlert): string {
  return JSON.stringify(alert);
}

/**
 * What {@link decodeAlertLine} makes of a line: the alert, or why it is not one.
 *
 * @example
 * ```ts
 * const decoded: DecodedAlertLine = decodeAlertLine('{}'); // { problem: 'not an alert document: "alertId" must be a string' }
 * ```
 */
export type DecodedAlertLine = { readonly alert: ArchivedAlert } | { readonly problem: string };

function fieldProblem(value: JsonObject): string | undefined {
  for (const key of ['alertId', 'ruleId', 'title', 'createdAt']) {
    if (typeof ownValue(value, key) !== 'string') return `"${key}" must be a string`;
  }
  if (!isArchiveTime(Date.parse(ownValue(value, 'createdAt') as string))) return '"createdAt" must be an ISO 8601 time';
  const severity = ownValue(value, 'severity');
  if (typeof severity !== 'string' || parseSeverity(severity) !== severity)
    return `"severity" must be one of ${SEVERITIES.join(', ')}`;
  return undefined;
}

/**
 * Reads one line of an alert object: the alert document, or the reason it is not one (not JSON,
 * `alertId`, `ruleId`, `title` or `createdAt` missing, a severity that is not one). Never throws.
 *
 * @example
 * ```ts
 * const decoded = decodeAlertLine(text);
 * if ('alert' in decoded) console.log(decoded.alert.title);
 * ```
 */
export function decodeAlertLine(text: string): DecodedAlertLine {
  const read = objectLine(text, 'not an alert document');
  if ('problem' in read) return read;
  const { value } = read;
  const problem = fieldProblem(value);
  if (problem !== undefined) return { problem: `not an alert document: ${problem}` };
  return { alert: value as ArchivedAlert };
}
