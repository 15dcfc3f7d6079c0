import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logWithPowertools } from '../shared/powertools.ts';
import type { DeliveryMetric, DeliveryTelemetry } from './telemetry.ts';

/**
 * {@link DeliveryTelemetry} on Powertools: JSON logs through the Logger; metrics counted during the
 * invocation and written by `flush()` as EMF, one record per destination with a `destination`
 * dimension (nothing at all when nothing was counted).
 *
 * @example
 * ```ts
 * const telemetry = powertoolsDeliveryTelemetry(logger, metrics);
 * try { await deliver(records, remaining); } finally { telemetry.flush(); }
 * ```
 */
export function powertoolsDeliveryTelemetry(logger: Logger, metrics: Metrics): DeliveryTelemetry & { flush(): void } {
  const counts = new Map<string, Map<DeliveryMetric, number>>();
  return {
    log: (level, message, fields) => logWithPowertools(logger, level, message, fields),
    count(metric, destination, value = 1) {
      const forDestination = counts.get(destination) ?? new Map<DeliveryMetric, number>();
      forDestination.set(metric, (forDestination.get(metric) ?? 0) + value);
      counts.set(destination, forDestination);
    },
    flush() {
      for (const [destination, metricCounts] of counts) {
        metrics.addDimension('destination', destination);
        for (const [metric, value] of metricCounts) metrics.addMetric(metric, MetricUnit.Count, value);
        // Publishing clears the stored metrics and this dimension for the next destination.
        metrics.publishStoredMetrics();
      }
      counts.clear();
    },
  };
}
