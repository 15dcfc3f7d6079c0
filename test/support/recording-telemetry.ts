import type { DetectionMetric, Telemetry } from '../../lib/pipeline/detect/telemetry.ts';
import type { LogLevel } from '../../lib/shared/log-level.ts';

/** A {@link Telemetry} that keeps every log line and metric for assertions. */
export function recordingTelemetry() {
  const logs: Array<{ level: LogLevel; message: string; fields: Record<string, unknown> }> = [];
  const counts = new Map<DetectionMetric, number>();
  const telemetry: Telemetry = {
    log: (level, message, fields = {}) => logs.push({ level, message, fields: { ...fields } }),
    count: (metric, value = 1) => counts.set(metric, (counts.get(metric) ?? 0) + value),
  };
  return { telemetry, logs, count: (metric: DetectionMetric) => counts.get(metric) ?? 0 };
}
