import { printable } from '../../shared/printable.ts';
import type { LogFields, LogLevel } from '../../shared/log-level.ts';
import { maskSecrets } from '../../shared/mask-secrets.ts';

/** The metrics the detection function emits (EMF, one unit: count). */
export type DetectionMetric =
  | 'EventsReceived'
  | 'EventsMatched'
  | 'AlertsPublished'
  | 'MatchesAlerted'
  | 'AlertsSuppressed'
  | 'AlertsEscalated'
  | 'DuplicatesIgnored'
  | 'PendingWindowsRecovered'
  | 'BelowThreshold'
  | 'RecordsFailed'
  | 'RuleErrors'
  | 'MalformedEvents'
  | 'DeadLettered'
  | 'SignalsRecorded'
  | 'MatchesSuppressed'
  | 'CorrelationStepsRecorded'
  | 'CorrelationsCompleted'
  | 'BaselineSightings'
  | 'BaselineNewValues'
  | 'EventsArchived'
  | 'ArchiveWritesFailed';

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
  log(level: LogLevel, message: string, fields?: LogFields): void;
  count(metric: DetectionMetric, value?: number): void;
}

/**
 * Wraps a {@link Telemetry} so that nothing shaped like an API key reaches a log line, whatever a
 * field carries (event ids and error messages come from outside).
 *
 * @example
 * ```ts
 * const telemetry = maskingTelemetry(powertoolsTelemetry(logger, metrics));
 * ```
 */
export function maskingTelemetry(inner: Telemetry): Telemetry {
  return {
    log(level, message, fields = {}) {
      const masked: Record<string, string | number | boolean | undefined> = {};
      for (const [key, value] of Object.entries(fields))
        masked[key] = typeof value === 'string' ? maskSecrets(value) : value;
      inner.log(level, maskSecrets(message), masked);
    },
    count: (metric, value) => inner.count(metric, value),
  };
}

/**
 * Counts and logs (at ERROR) rule failures on one record: a rule that could not decide on an event,
 * or an output function that failed on a match the pipeline still alerts with its default (a
 * correlation's finding, a baseline's novelty).
 *
 * @example
 * ```ts
 * reportRuleErrors(deps.telemetry, { messageId, ruleId, eventId }, errors);
 * ```
 */
export function reportRuleErrors(
  telemetry: Telemetry,
  ids: { readonly messageId: string; readonly ruleId: string; readonly eventId: string },
  errors: ReadonlyArray<{ readonly function: string; readonly message: string }>,
): void {
  for (const error of errors) {
    telemetry.count('RuleErrors');
    telemetry.log('ERROR', 'rule error', { ...ids, function: error.function, error: printable(error.message, 500) });
  }
}

/** A {@link Telemetry} that drops everything. */
export const SILENT_TELEMETRY: Telemetry = { log: () => undefined, count: () => undefined };
