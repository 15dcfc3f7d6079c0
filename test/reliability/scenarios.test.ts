// The shortened reliability run (a tenth of the events, one kill at each point): the promises of
// `npm run test:reliability` hold on every scenario. No per-test timeout: the harness itself reports
// a run that stops making progress, so a loaded machine makes these slower, never failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, startReliabilityEnv, type ReliabilityEnv } from '../../lib/tooling/reliability/harness.ts';
import { scenarios } from '../../lib/tooling/reliability/scenarios.ts';

// The harness runs its own emulators and points this worker's SDK at them; this file runs alone in
// its worker, so the shared emulators of the other tests are not affected.
let env: ReliabilityEnv;
beforeAll(async () => {
  env = await startReliabilityEnv();
}, 0);
afterAll(async () => {
  await env.stop();
}, 0);

describe('reliability scenarios (shortened)', () => {
  for (const [index, spec] of scenarios(0.1).entries()) {
    it(`${spec.name}: ${spec.description}`, { timeout: 0 }, async () => {
      const result = await runScenario(spec, env, 1000 + index);
      expect(result.problems).toEqual([]);
      expect(result.lost).toBe(0);
      expect(result.delivered).toBeGreaterThanOrEqual(result.expectedAlerts);
      expect(result.expectedAlerts).toBeGreaterThan(0);
      expect(result.duplicates).toBe(result.allowedDuplicates);
      expect(result.dlq).toBe(result.expectedDlq);
      if (spec.highEvery) expect(result.escalations).toBeGreaterThan(0);
      else expect(result.delivered).toBe(result.expectedAlerts);
      if (spec.kills) expect(result.kills).toBeGreaterThanOrEqual(spec.kills.points.length);
    });
  }
});
