// A loaded machine changes no outcome: invocations that start later than the queue's visibility
// timeout, or than the function timeout, must keep every promise. The delays are real time, to
// make the slowness certain; nothing here waits for a time to pass before it checks.
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioSpec } from './harness/harness.ts';
import { reliabilityEnvForFile } from './shortened-run.ts';

const env = reliabilityEnvForFile();

const SMALL = { events: 100, perMessage: 10, matchingRate: 0.1, actors: 5 } as const;

describe('the reliability harness on a slow machine', () => {
  it('keeps every promise when each batch takes longer than the visibility timeout (3 s), two consumers', async () => {
    const spec: ScenarioSpec = {
      ...SMALL,
      name: 'slow-consumers',
      description: 'in-process consumers slower than the visibility timeout',
      consumers: 2,
      invocationDelayMs: 3_500,
    };
    const result = await runScenario(spec, env(), 7);
    expect(result.problems).toEqual([]);
    expect([result.expectedAlerts, result.delivered, result.dlq, result.retries]).toEqual([5, 5, 0, 0]);
  });

  it('makes the planned kill happen when each invocation takes longer than the function timeout (4 s)', async () => {
    const spec: ScenarioSpec = {
      ...SMALL,
      name: 'slow-workers',
      description: 'a worker process slower than its function timeout, planned to die before its window write',
      consumers: 0,
      kills: { workers: 1, points: ['before-window-write'] },
      invocationDelayMs: 4_500,
    };
    const result = await runScenario(spec, env(), 8);
    expect(result.problems).toEqual([]);
    expect([result.expectedAlerts, result.delivered, result.dlq, result.kills]).toEqual([5, 5, 0, 1]);
  });
});
