import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { LogLevel } from './log-level.ts';

/** The `service` of every log line and metric. */
export const SERVICE_NAME = 'openai-audit-alerts';

/** The CloudWatch namespace of every metric (the alarms in `infra/alarms.yml` read it). */
export const METRICS_NAMESPACE = 'OpenAIAuditAlerts';

/**
 * Log lines and count metrics, the two things the cores report through their telemetry interfaces.
 * Plain functions, so that they can be passed on alone.
 */
export interface PowertoolsTelemetry {
  readonly log: (level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void;
  /** Adds `value` (default 1) to a metric in the Count unit. */
  readonly count: (metric: string, value?: number) => void;
}

/** A function's Powertools Logger and Metrics, and {@link PowertoolsTelemetry} on them. */
export interface Powertools extends PowertoolsTelemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

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
 * {@link PowertoolsTelemetry} on a Logger and Metrics: JSON logs, EMF counts (published by the
 * handler after each invocation).
 *
 * @example
 * ```ts
 * const telemetry = powertoolsTelemetry(logger, metrics);
 * telemetry.count('AuthFailures');
 * ```
 */
export function powertoolsTelemetry(logger: Logger, metrics: Metrics): PowertoolsTelemetry {
  return {
    log: (level, message, fields) => logWithPowertools(logger, level, message, fields),
    count: (metric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
  };
}

/**
 * The Logger and Metrics of one Lambda function, with the service name and namespace every function
 * shares. Call once, at cold start.
 *
 * @example
 * ```ts
 * const powertools = createPowertools(config.logLevel);
 * const detect = createDetectionHandler({ config, telemetry: powertools });
 * ```
 */
export function createPowertools(logLevel: LogLevel): Powertools {
  const logger = new Logger({ serviceName: SERVICE_NAME, logLevel });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  return { logger, metrics, ...powertoolsTelemetry(logger, metrics) };
}
