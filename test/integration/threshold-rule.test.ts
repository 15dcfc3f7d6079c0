// A threshold rule (the shared minimal test rule, threshold 3 in 10 minutes) through the batch
// processor over the emulators: matches counted by event time, each event once, and one alert when
// three fall in one window, never for three spread over hours.
import { describe, expect, it } from 'vitest';
import { emulatorDependencies } from '../support/emulator-dependencies.ts';
import { RuleCatalog } from '../../lib/detection/engine/catalog.ts';
import type { AuditEvent } from '../../lib/detection/openai/audit-event.ts';
import { openAiAuditLogType } from '../../lib/detection/openai/log-type.ts';
import { alertIdFor } from '../../lib/pipeline/dedup/dedup-item.ts';
import { processBatch } from '../../lib/pipeline/detect/process-batch.ts';
import { createPipelineResources, receivedAlerts } from '../support/aws-resources.ts';
import { recordingTelemetry } from '../support/recording-telemetry.ts';
import { testRule } from '../support/test-rule.ts';

const RULE = 'Test.Login.Failed.Burst';
const PERIOD = 600;
const W = 1_720_000_200; // a multiple of 600
const NOW = 1_800_000_000;

const failure = (id: string, at: number) => ({ id, type: 'login.failed', effective_at: at });

async function setUp() {
  const resources = await createPipelineResources();
  const recorder = recordingTelemetry();
  const rule = testRule<AuditEvent>(RULE, {
    eventTypes: ['login.failed'],
    threshold: 3,
    dedupPeriodMinutes: PERIOD / 60,
    dedup: () => `${RULE}:org`,
  });
  const deps = emulatorDependencies(resources, {
    catalog: new RuleCatalog().register(openAiAuditLogType, [rule]),
    telemetry: recorder.telemetry,
    clock: () => NOW,
  });
  const send = (messageId: string, events: unknown[]) =>
    processBatch([{ messageId, body: JSON.stringify(events) }], deps);
  return { resources, recorder, send };
}

describe('a threshold rule in the pipeline', () => {
  it('alerts once when the threshold is reached within one event-time window, counting each event once', async () => {
    const { resources, recorder, send } = await setUp();
    expect(await send('m1', [failure('f1', W + 1), failure('f2', W + 100)])).toEqual({ batchItemFailures: [] });
    expect(await send('m2', [failure('f2', W + 100)])).toEqual({ batchItemFailures: [] }); // redelivered: not a third
    expect(await receivedAlerts(resources.subscriberUrl)).toEqual([]);
    await send('m3', [failure('f3', W + PERIOD - 1), failure('f4', W + 200)]);
    const alerts = await receivedAlerts(resources.subscriberUrl);
    expect(alerts.map((a) => [a.alert.alertId, a.alert.eventId, a.alert.eventCount, a.alert.severity])).toEqual([
      [alertIdFor(`${RULE}:org`, W), 'f3', 3, 'LOW'],
    ]);
    expect(recorder.count('BelowThreshold')).toBe(2);
    expect(recorder.count('DuplicatesIgnored')).toBe(1);
    expect(
      recorder.logs.find(
        (l) => l.fields.eventId === 'f2' && l.fields.eventCount === 2 && l.message !== 'match counted below threshold',
      )?.message,
    ).toBe('event already counted in its window: ignored');
    expect(recorder.count('AlertsSuppressed')).toBe(1);
    expect(
      recorder.logs
        .filter((l) => l.message === 'match counted below threshold')
        .map((l) => [l.level, l.fields.eventId, l.fields.eventCount, l.fields.threshold]),
    ).toEqual([
      ['INFO', 'f1', 1, 3],
      ['INFO', 'f2', 2, 3],
    ]);
  });

  it('says which event reached the threshold when a batch brings it there at once, in one counting write', async () => {
    const { resources, recorder, send } = await setUp();
    expect(await send('m1', [failure('k1', W + 1), failure('k2', W + 2), failure('k3', W + 3)])).toEqual({
      batchItemFailures: [],
    });
    const alerts = await receivedAlerts(resources.subscriberUrl);
    expect(alerts.map((a) => [a.alert.eventId, a.alert.eventCount])).toEqual([['k3', 3]]);
    expect(recorder.logs.find((l) => l.message === 'alert published')?.fields).toMatchObject({
      messageId: 'm1',
      eventId: 'k3',
    });
    expect(recorder.count('MatchesAlerted')).toBe(1);
    expect(recorder.count('BelowThreshold')).toBe(2);
  });

  it('never fires on matches hours apart, however they arrive', async () => {
    const { resources, recorder, send } = await setUp();
    await send('m1', [
      failure('g1', W + 5),
      failure('g2', W + 3 * 3600),
      failure('g3', W + 6 * 3600),
      failure('g4', W + 3 * 3600 + 30),
    ]);
    expect(await receivedAlerts(resources.subscriberUrl)).toEqual([]);
    expect(recorder.count('BelowThreshold')).toBe(4);
  });
});
