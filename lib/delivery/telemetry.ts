import type { LogFields, LogLevel } from '../shared/log-level.ts';
import type { DestinationName } from './destination.ts';

/** The metrics of alert delivery (EMF, unit: count), each with the destination as a dimension. */
export type DeliveryMetric =
  /** Accepted by the destination (2xx). */
  | 'AlertsDelivered'
  /** Attempts that failed and were tried again within the same invocation. */
  | 'DeliveryRetries'
  /** Alerts put back on their queue to be tried later (429, 5xx, network, or behind one that was). */
  | 'DeliveriesDeferred'
  /** Alerts the destination refused for good, moved to the delivery DLQ. */
  | 'DeliveriesRejected'
  /** Queue messages that held no valid alert, moved to the delivery DLQ. */
  | 'MalformedAlerts';

/**
 * Logs and metrics of the delivery stage, behind an interface so the same core runs in Lambda
 * (Powertools), in `npm start` and in tests.
 *
 * @example
 * ```ts
 * telemetry.count('AlertsDelivered', 'slack');
 * telemetry.log('INFO', 'alert delivered', { destination: 'slack', alertId });
 * ```
 */
export interface DeliveryTelemetry {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  count(metric: DeliveryMetric, destination: DestinationName | 'archive' | 'unknown', value?: number): void;
}
