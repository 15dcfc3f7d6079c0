// The one Powertools set-up of every function: the Logger and Metrics it makes (their real output on
// stdout), and the level and metric mapping of the telemetry on them (a stand-in Logger and Metrics
// with the methods the adapter calls; no I/O).
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogLevel } from '../../../lib/shared/log-level.ts';
import { createPowertools, powertoolsTelemetry } from '../../../lib/shared/powertools.ts';
import { captureOutput } from '../../support/capture-output.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createPowertools', () => {
  it('logs JSON from its level up with the service name, and counts metrics in the OpenAIAuditAlerts namespace', () => {
    const powertools = createPowertools('WARN');
    const lines = captureOutput();
    powertools.log('INFO', 'below the level');
    powertools.log('WARN', 'at the level', { organization: 'org-a' });
    powertools.count('AuthFailures');
    powertools.count('PollErrors', 3);
    powertools.metrics.publishStoredMetrics();
    vi.restoreAllMocks();
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r.message).filter(Boolean)).toEqual(['at the level']);
    expect(records[0]).toMatchObject({ level: 'WARN', service: 'openai-audit-alerts', organization: 'org-a' });
    const emf = records.find((r) => typeof r._aws === 'object');
    expect(emf).toMatchObject({ AuthFailures: 1, PollErrors: 3, service: 'openai-audit-alerts' });
    expect((emf?._aws as { CloudWatchMetrics: Array<{ Namespace: string }> }).CloudWatchMetrics[0]?.Namespace).toBe(
      'OpenAIAuditAlerts',
    );
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
