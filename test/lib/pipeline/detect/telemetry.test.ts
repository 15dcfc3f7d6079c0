// The telemetry adapters: masking in front of any sink, and the Powertools sink's level and metric
// mapping (a stand-in Logger and Metrics with the methods the adapter calls; no I/O).
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { powertoolsTelemetry } from '../../../../lib/pipeline/detect/powertools-telemetry.ts';
import { SILENT_TELEMETRY, maskingTelemetry } from '../../../../lib/pipeline/detect/telemetry.ts';
import type { LogLevel } from '../../../../lib/shared/log-level.ts';
import { recordingTelemetry } from '../../../support/recording-telemetry.ts';

const KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';

describe('maskingTelemetry', () => {
  it('masks secrets in the message and string fields, keeps other values as they are', () => {
    const recorder = recordingTelemetry();
    const telemetry = maskingTelemetry(recorder.telemetry);
    telemetry.log('WARN', `key ${KEY} seen`, { eventId: `e-${KEY}`, count: 3, takeover: true, missing: undefined });
    telemetry.count('AlertsEscalated', 2);
    expect(recorder.logs).toEqual([
      {
        level: 'WARN',
        message: 'key sk-proj-…6789 seen',
        fields: { eventId: 'e-sk-proj-…6789', count: 3, takeover: true, missing: undefined },
      },
    ]);
    expect(recorder.count('AlertsEscalated')).toBe(2);
    telemetry.log('INFO', 'no fields');
    expect(recorder.logs[1]).toEqual({ level: 'INFO', message: 'no fields', fields: {} });
  });

  it('has a silent sink that accepts everything', () => {
    expect(SILENT_TELEMETRY.log('ERROR', 'x', { a: 1 })).toBeUndefined();
    expect(SILENT_TELEMETRY.count('DeadLettered', 1)).toBeUndefined();
  });
});

describe('powertoolsTelemetry', () => {
  it('logs at the matching Logger level and counts metrics in the Count unit', () => {
    const calls: Array<[string, string, unknown]> = [];
    const logger = Object.fromEntries(
      (['debug', 'info', 'warn', 'error'] as const).map((level) => [
        level,
        (message: string, extra: unknown) => calls.push([level, message, extra]),
      ]),
    ) as unknown as Logger;
    const metrics = {
      addMetric: (name: string, unit: string, value: number) => calls.push(['metric', name, [unit, value]]),
    } as unknown as Metrics;
    const telemetry = powertoolsTelemetry(logger, metrics);
    for (const level of ['DEBUG', 'INFO', 'WARN', 'ERROR'] as LogLevel[])
      telemetry.log(level, `at ${level}`, { id: level });
    telemetry.log('INFO', 'no fields');
    telemetry.count('AlertsSuppressed');
    telemetry.count('DeadLettered', 4);
    expect(calls).toEqual([
      ['debug', 'at DEBUG', { id: 'DEBUG' }],
      ['info', 'at INFO', { id: 'INFO' }],
      ['warn', 'at WARN', { id: 'WARN' }],
      ['error', 'at ERROR', { id: 'ERROR' }],
      ['info', 'no fields', {}],
      ['metric', 'AlertsSuppressed', ['Count', 1]],
      ['metric', 'DeadLettered', ['Count', 4]],
    ]);
  });
});
