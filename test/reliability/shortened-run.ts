// The shortened reliability run (a tenth of the events, one kill at each point), split over a few
// test files so that vitest runs them side by side. Each file names the scenarios it runs; the
// last one runs every scenario no other file claims, so a new scenario is never left out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, startReliabilityEnv, type ReliabilityEnv } from './harness/harness.ts';
import { scenarios } from './harness/scenarios.ts';

/** Scenarios run by their own test files (the slowest ones), by file. */
export const OWN_FILES: Readonly<Record<string, readonly string[]>> = {
  'scenarios-worker-kills.test.ts': ['worker-kills'],
  'scenarios-outages.test.ts': ['long-outage', 'faults', 'openai-pack'],
};

/**
 * Starts the harness's emulators before a test file's tests, pointing this worker's SDK at them,
 * and stops them after; each file runs alone in its worker, so the shared emulators of the other
 * tests are not affected. Returns the environment, once started.
 *
 * @example
 * ```ts
 * const env = reliabilityEnvForFile();
 * it('keeps every promise', async () => expect((await runScenario(spec, env(), 1)).lost).toBe(0));
 * ```
 */
export function reliabilityEnvForFile(): () => ReliabilityEnv {
  let env: ReliabilityEnv | undefined;
  beforeAll(async () => {
    env = await startReliabilityEnv();
  }, 0);
  afterAll(async () => {
    await env?.stop();
  }, 0);
  return () => {
    if (env === undefined) throw new Error('the reliability environment is not started yet');
    return env;
  };
}

/**
 * Declares the tests of the chosen scenarios: each must keep every promise of `npm run
 * test:reliability`. No per-test timeout, and time in a run is simulated (runRounds in
 * harness.ts): a loaded machine makes these slower, never failed.
 *
 * @example
 * ```ts
 * shortenedRun((name) => name === 'worker-kills');
 * ```
 */
export function shortenedRun(chosen: (name: string) => boolean): void {
  const env = reliabilityEnvForFile();

  describe('reliability scenarios (shortened)', () => {
    const all = scenarios(0.1);
    it('has scenarios to run here', () => {
      expect(all.filter((spec) => chosen(spec.name)).length).toBeGreaterThan(0);
    });
    for (const [index, spec] of all.entries()) {
      if (!chosen(spec.name)) continue;
      it(`${spec.name}: ${spec.description}`, { timeout: 0 }, async () => {
        const result = await runScenario(spec, env(), 1000 + index);
        expect(result.problems).toEqual([]);
        expect(result.lost).toBe(0);
        expect(result.delivered).toBeGreaterThanOrEqual(result.expectedAlerts);
        expect(result.expectedAlerts).toBeGreaterThan(0);
        expect(result.duplicates).toBe(result.allowedDuplicates);
        expect(result.dlq).toBe(result.expectedDlq);
        if (spec.highEvery) expect(result.escalations).toBeGreaterThan(0);
        else expect(result.delivered).toBe(result.expectedAlerts);
        if (spec.kills) expect(result.kills).toBeGreaterThanOrEqual(spec.kills.points.length);
        if (spec.newSourceFromPhase !== undefined) expect(result.expectedFirstSeen).toBeGreaterThan(0);
      });
    }
  });
}
