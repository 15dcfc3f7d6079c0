import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Telemetry } from './telemetry.ts';
import type { LogLevel } from '../../shared/log-level.ts';

/**
 * Writes one log line at `level` through a Powertools Logger.
 *
 * @example
 * ```ts
 * logWithPowertools(logger, 'WARN', 'record retried', { messageId });
 * ```
 */
export function logWithPowertools(
  logger: Logger,
  level: LogLevel,
  message: string,
  fields: Readonly<Record<string, unknown>> = {},
): void {
  const extra = { ...fields };
  if (level === 'DEBUG') logger.debug(message, extra);
  else if (level === 'INFO') logger.info(message, extra);
  else if (level === 'WARN') logger.warn(message, extra);
  else logger.error(message, extra);
}

/**
 * {@link Telemetry} on Powertools: JSON logs through the Logger, EMF metrics through Metrics
 * (flushed by the handler after each invocation).
 *
 * @example
 * ```ts
 * const telemetry = powertoolsTelemetry(new Logger(), new Metrics({ namespace: 'OpenAIAuditAlerts' }));
 * ```
 */
export function powertoolsTelemetry(logger: Logger, metrics: Metrics): Telemetry {
  return {
    log: (level, message, fields) => logWithPowertools(logger, level, message, fields),
    count(metric, value = 1) {
      metrics.addMetric(metric, MetricUnit.Count, value);
    },
  };
}
