// The shortened reliability run (a tenth of the events, one kill at each point): the promises of
// `npm run test:reliability` hold on every scenario.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, startReliabilityEnv, type ReliabilityEnv } from '../../lib/tooling/reliability/harness.ts';
import { scenarios } from '../../lib/tooling/reliability/scenarios.ts';

// The harness runs its own emulators and points this worker's SDK at them; this file runs alone in
// its worker, so the shared emulators of the other tests are not affected.
let env: ReliabilityEnv;
beforeAll(async () => {
  env = await startReliabilityEnv();
});
afterAll(async () => {
  await env.stop();
});

describe('reliability scenarios (shortened)', () => {
  for (const [index, spec] of scenarios(0.1).entries()) {
    it(`${spec.name}: ${spec.description}`, { timeout: 200_000 }, async () => {
      const result = await runScenario(spec, env, 1000 + index);
      expect(result.problems).toEqual([]);
      expect(result.lost).toBe(0);
      expect(result.delivered).toBe(result.expectedAlerts);
      expect(result.expectedAlerts).toBeGreaterThan(0);
      expect(result.duplicates).toBe(result.allowedDuplicates);
      expect(result.dlq).toBe(result.expectedDlq);
      if (spec.kills) expect(result.kills).toBe(spec.kills.points.length);
    });
  }
});
