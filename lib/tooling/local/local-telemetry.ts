import type { DetectionMetric, Telemetry } from '../../pipeline/detect/telemetry.ts';
import type { LogLevel } from '../../shared/log-level.ts';

const ORDER: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** A {@link Telemetry} for local runs: JSON log lines on a stream, metrics counted in memory. */
export interface LocalTelemetry extends Telemetry {
  counted(metric: DetectionMetric): number;
}

/**
 * Logs at `level` and above as one JSON object per line (the shape Powertools writes in Lambda)
 * and counts metrics for the run's summary.
 *
 * @example
 * ```ts
 * const telemetry = localTelemetry('WARN', (line) => process.stderr.write(line));
 * ```
 */
export function localTelemetry(
  level: LogLevel,
  write: (line: string) => void,
  now: () => Date = () => new Date(),
): LocalTelemetry {
  const threshold = ORDER.indexOf(level);
  const counts = new Map<DetectionMetric, number>();
  return {
    log(logLevel, message, fields = {}) {
      if (ORDER.indexOf(logLevel) < threshold) return;
      write(
        `${JSON.stringify({ level: logLevel, message, timestamp: now().toISOString(), service: 'openai-audit-alerts', ...fields })}\n`,
      );
    },
    count(metric, value = 1) {
      counts.set(metric, (counts.get(metric) ?? 0) + value);
    },
    counted: (metric) => counts.get(metric) ?? 0,
  };
}
