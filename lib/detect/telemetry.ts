/** The metrics the detection function emits (EMF, one unit: count). */
export type DetectionMetric =
  | 'EventsReceived'
  | 'EventsMatched'
  | 'AlertsPublished'
  | 'AlertsSuppressed'
  | 'BelowThreshold'
  | 'RecordsFailed'
  | 'RuleErrors'
  | 'MalformedEvents'
  | 'DeadLettered';

/** Log severity. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * Structured logs and metrics, behind an interface so the core runs the same in Lambda (Powertools),
 * the CLI and tests. Fields are identifiers and counts only, never event contents or secrets.
 *
 * @example
 * ```ts
 * telemetry.log('INFO', 'alert published', { alertId, ruleId, eventId });
 * telemetry.count('AlertsPublished');
 * ```
 */
export interface Telemetry {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, string | number | boolean | undefined>>): void;
  count(metric: DetectionMetric, value?: number): void;
}

/** A {@link Telemetry} that drops everything. */
export const SILENT_TELEMETRY: Telemetry = { log: () => undefined, count: () => undefined };
