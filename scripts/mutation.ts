// npm run test:mutation -- StrykerJS (vitest runner) over the protocol code, lib/pipeline/dedup,
// lib/pipeline/detect and lib/pipeline/correlate (stryker.config.json, vitest.mutation.config.ts). Prints every mutant that
// survived or was never covered (file:line, mutator, replacement), then, as the last line,
// `mutation score N%`. Exit 1 below 90%, or if Stryker itself failed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Mutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}

interface Report {
  readonly files: Record<string, { readonly mutants: readonly Mutant[] }>;
}

const MINIMUM_SCORE = 90;
const root = join(import.meta.dirname, '..');
const out = (line: string) => process.stdout.write(`${line}\n`);
const started = Date.now();

const run = spawnSync(process.execPath, [join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run'], {
  cwd: root,
  stdio: 'inherit',
});
let report: Report;
try {
  report = JSON.parse(readFileSync(join(root, 'reports/mutation/mutation.json'), 'utf8')) as Report;
} catch (error) {
  out(`stryker exited ${run.status ?? run.signal} without a report: ${String(error)}`);
  out('mutation score 0%');
  process.exit(1);
}

const counts = new Map<string, number>();
const undetected: string[] = [];
for (const [file, { mutants }] of Object.entries(report.files)) {
  for (const mutant of mutants) {
    counts.set(mutant.status, (counts.get(mutant.status) ?? 0) + 1);
    if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') {
      const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100);
      undetected.push(
        `${mutant.status.padEnd(10)} ${file}:${mutant.location.start.line}:${mutant.location.start.column} ${mutant.mutatorName}: ${replacement}`,
      );
    }
  }
}
const count = (status: string) => counts.get(status) ?? 0;
// Stryker's definition: detected / (detected + undetected); compile and runtime errors and ignored mutants do not count.
const detected = count('Killed') + count('Timeout');
const valid = detected + count('Survived') + count('NoCoverage');
const score = valid === 0 ? 0 : Math.floor((detected / valid) * 10_000) / 100;
out('');
out(
  `mutants: ${[...counts.entries()].map(([status, n]) => `${n} ${status}`).join(', ')}; ${Math.round((Date.now() - started) / 1000)} s`,
);
for (const line of undetected.sort()) out(line);
out(`mutation score ${score}%`);
process.exitCode = run.status === 0 && score >= MINIMUM_SCORE ? 0 : 1;
