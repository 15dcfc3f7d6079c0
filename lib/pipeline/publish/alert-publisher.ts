import type { AlertDocument } from '../alerts/alert-document.ts';

/**
 * Publishes alerts. At-least-once: the same alert may be delivered again after a failure, always
 * with the same `alertId`.
 *
 * @example
 * ```ts
 * await publisher.publish(alert);
 * ```
 */
export interface AlertPublisher {
  publish(alert: AlertDocument): Promise<void>;
}
