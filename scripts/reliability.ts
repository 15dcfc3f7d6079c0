// npm run test:reliability -- scenarios against the real handler, SDK clients and emulators, with
// faults, duplicates, reordering, concurrency, worker kills, poison and a window boundary.
// One line per scenario, then the totals as one JSON object (the last line). Exit 1 if a promise broke.
//   tsx scripts/reliability.ts [--scale 0.1] [--seed 7] [--only name]
import { parseArgs } from 'node:util';
import { runScenario, startReliabilityEnv, type ScenarioResult } from '../lib/tooling/reliability/harness.ts';
import { scenarios } from '../lib/tooling/reliability/scenarios.ts';
import { hideSdkNodeVersionNotice } from '../lib/util/sdk-node-notice.ts';

hideSdkNodeVersionNotice();
const { values } = parseArgs({ options: { scale: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string' } } });
const scale = Number(values.scale ?? 1);
const seed = Number(values.seed ?? 1);
const out = (line: string) => process.stdout.write(`${line}\n`);

const env = await startReliabilityEnv();
const results: ScenarioResult[] = [];
try {
  const selected = scenarios(scale).filter((spec) => values.only === undefined || spec.name === values.only);
  out(`reliability run: ${selected.length} scenario(s), scale ${scale}, seed ${seed}`);
  out(`${'scenario'.padEnd(26)}${'events'.padStart(7)}${'expected'.padStart(9)}${'delivered'.padStart(10)}${'lost'.padStart(6)}${'dup'.padStart(5)}${'(after death)'.padStart(14)}${'dlq'.padStart(5)}${'retries'.padStart(8)}${'faults'.padStart(8)}${'kills'.padStart(6)}${'secs'.padStart(7)}`);
  for (const [index, spec] of selected.entries()) {
    const result = await runScenario(spec, env, seed * 100 + index);
    results.push(result);
    const faults = Object.values(result.faults).reduce((a, b) => a + b, 0);
    out(
      `${result.name.padEnd(26)}${String(result.events).padStart(7)}${String(result.expectedAlerts).padStart(9)}${String(result.delivered).padStart(10)}${String(result.lost).padStart(6)}${String(result.duplicates).padStart(5)}${String(result.allowedDuplicates).padStart(14)}${String(result.dlq).padStart(5)}${String(result.retries).padStart(8)}${String(faults).padStart(8)}${String(result.kills).padStart(6)}${String(result.seconds).padStart(7)}`,
    );
    for (const problem of result.problems) out(`  BROKEN: ${problem}`);
  }
} finally {
  await env.stop();
}
const sum = (key: keyof ScenarioResult) => results.reduce((total, r) => total + (r[key] as number), 0);
const broken = results.filter((r) => r.problems.length > 0);
out(broken.length === 0 ? 'all promises held' : `${broken.length} scenario(s) broke a promise: ${broken.map((r) => r.name).join(', ')}`);
out(
  JSON.stringify({
    scenarios: results.length,
    events: sum('events'),
    expectedAlerts: sum('expectedAlerts'),
    delivered: sum('delivered'),
    lost: sum('lost'),
    duplicates: sum('duplicates'),
    duplicatesAfterDeath: sum('allowedDuplicates'),
    dlq: sum('dlq'),
  }),
);
process.exitCode = broken.length === 0 ? 0 : 1;
