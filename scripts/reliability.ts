// npm run test:reliability -- first the property tests at 100,000 cases each (no per-test timeout:
// a loaded machine makes them slower, never failed), then, whatever they gave, the scenarios against
// the real handler, SDK clients and emulators: faults, duplicates, reordering, concurrency, worker
// kills and function timeouts, poison, a window boundary, publish failures, expiry while pending, a
// redrive after the window, a long outage, escalation, an event-time backfill.
// One line per scenario, then the totals as one JSON object: always the last line, whatever failed.
// Exit 1 if a promise broke or a property failed.
//   tsx scripts/reliability.ts [--scale 0.1] [--seed 7] [--only name] [--property-runs 100000] [--no-properties]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../lib/shared/describe-error.ts';
import {
  runScenario,
  startReliabilityEnv,
  type ReliabilityEnv,
  type ScenarioResult,
} from '../test/reliability/harness/harness.ts';
import { scenarios } from '../test/reliability/harness/scenarios.ts';
import { hideSdkNodeVersionNotice } from '../lib/shared/sdk-node-notice.ts';

hideSdkNodeVersionNotice();
const { values } = parseArgs({
  options: {
    scale: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    'property-runs': { type: 'string' },
    'no-properties': { type: 'boolean' },
  },
});
const scale = Number(values.scale ?? 1);
const seed = Number(values.seed ?? 1);
const out = (line: string) => process.stdout.write(`${line}\n`);
const root = join(import.meta.dirname, '..');
const started = Date.now();

/** The property tests in a child vitest, counted from its closing `N passed, M failed` line. */
function runProperties(): { passed: number; failed: number; seconds: number } {
  const begun = Date.now();
  out(`property tests: ${values['property-runs'] ?? '100000'} cases each`);
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/property', '--testTimeout=0'],
    {
      cwd: root,
      env: { ...process.env, PROPERTY_RUNS: values['property-runs'] ?? '100000' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const summary = /^(\d+) passed, (\d+) failed/m.exec(result.stdout ?? '');
  const passed = Number(summary?.[1] ?? 0);
  // A run that died without its closing line counts as one failure, never as a pass.
  const failed = summary ? Number(summary[2]) : 1;
  for (const line of (result.stdout ?? '')
    .split('\n')
    .filter((l) => /FAIL|✓|×|Error/.test(l))
    .slice(0, 40))
    out(`  ${line.trim()}`);
  out(
    `property tests: ${passed} passed, ${failed} failed${result.status !== 0 && failed === 0 ? ` (vitest exited ${result.status ?? result.signal})` : ''}`,
  );
  return {
    passed,
    failed: failed === 0 && result.status !== 0 ? 1 : failed,
    seconds: Math.round((Date.now() - begun) / 1000),
  };
}

const properties = values['no-properties'] ? { passed: 0, failed: 0, seconds: 0 } : runProperties();
const results: ScenarioResult[] = [];
const errors: string[] = [];
let env: ReliabilityEnv | undefined;
try {
  env = await startReliabilityEnv();
  const selected = scenarios(scale).filter((spec) => values.only === undefined || spec.name === values.only);
  out(`reliability run: ${selected.length} scenario(s), scale ${scale}, seed ${seed}`);
  out(
    `${'scenario'.padEnd(24)}${'events'.padStart(7)}${'expected'.padStart(9)}${'delivered'.padStart(10)}${'escal.'.padStart(7)}${'lost'.padStart(5)}${'dup'.padStart(4)}${'(death)'.padStart(8)}${'dlq'.padStart(4)}${'retries'.padStart(8)}${'faults'.padStart(7)}${'kills'.padStart(6)}${'secs'.padStart(7)}`,
  );
  for (const [index, spec] of selected.entries()) {
    let result: ScenarioResult;
    try {
      result = await runScenario(spec, env, seed * 100 + index);
    } catch (error) {
      // One scenario's crash is that scenario's failure; the others still run.
      errors.push(`${spec.name}: ${describeError(error)}`);
      out(`${spec.name.padEnd(24)} CRASHED: ${describeError(error)}`);
      continue;
    }
    results.push(result);
    const faults = Object.values(result.faults).reduce((a, b) => a + b, 0);
    const cells = [
      result.events,
      result.expectedAlerts,
      result.delivered,
      result.escalations,
      result.lost,
      result.duplicates,
      result.allowedDuplicates,
      result.dlq,
      result.retries,
      faults,
      result.kills,
      result.seconds,
    ];
    const widths = [7, 9, 10, 7, 5, 4, 8, 4, 8, 7, 6, 7];
    out(`${result.name.padEnd(24)}${cells.map((cell, i) => String(cell).padStart(widths[i] ?? 6)).join('')}`);
    for (const problem of result.problems) out(`  BROKEN: ${problem}`);
  }
} catch (error) {
  errors.push(`the reliability environment failed: ${describeError(error)}`);
} finally {
  await env?.stop().catch((error: unknown) => errors.push(`stopping the emulators failed: ${describeError(error)}`));
}
const sum = (key: keyof ScenarioResult) => results.reduce((total, r) => total + (r[key] as number), 0);
const broken = results.filter((r) => r.problems.length > 0);
for (const error of errors) out(`ERROR: ${error}`);
out(
  broken.length === 0 && errors.length === 0 && properties.failed === 0
    ? 'all promises held'
    : `${broken.length} scenario(s) broke a promise${broken.length > 0 ? `: ${broken.map((r) => r.name).join(', ')}` : ''}; ${errors.length} crashed; ${properties.failed} property test(s) failed`,
);
out(
  JSON.stringify({
    propertyTests: { passed: properties.passed, failed: properties.failed, seconds: properties.seconds },
    scenarios: results.length,
    brokenScenarios: broken.length + errors.length,
    events: sum('events'),
    expectedAlerts: sum('expectedAlerts'),
    delivered: sum('delivered'),
    escalations: sum('escalations'),
    lost: sum('lost'),
    duplicates: sum('duplicates'),
    duplicatesAfterDeath: sum('allowedDuplicates'),
    dlq: sum('dlq'),
    seconds: Math.round((Date.now() - started) / 1000),
  }),
);
process.exitCode = broken.length === 0 && errors.length === 0 && properties.failed === 0 ? 0 : 1;
