// Runs a Node.js process with the exit-usage probe preloaded: its wall time (as the parent saw it),
// CPU time and peak resident memory (as the process measured itself).
import { spawnSync } from 'node:child_process';

/**
 * Preloaded into the child (node --import): at exit, it writes the process's own CPU time and peak
 * resident memory as one JSON line to file descriptor 3, which the bench reads.
 */
const PROBE_SOURCE = `import { writeSync } from 'node:fs';
process.on('exit', () => {
  const cpu = process.cpuUsage();
  writeSync(3, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS }) + '\\n');
});`;
const PROBE = `data:text/javascript,${encodeURIComponent(PROBE_SOURCE)}`;

/** What one child process cost. */
export interface ChildUsage {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
}

/**
 * Runs `node [nodeOptions] --import <probe> ...args`, standard output discarded, and returns its
 * cost; throws when it fails (with its standard error).
 *
 * @example
 * ```ts
 * const bare = runNode(['-e', '0']);
 * ```
 */
export function runNode(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; allowStatus?: readonly number[] } = {},
): ChildUsage {
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--import', PROBE, ...args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - start;
  const allowed = options.allowStatus ?? [0];
  if (result.status === null || !allowed.includes(result.status)) {
    throw new Error(
      `node ${args.join(' ').slice(0, 200)} exited ${result.status ?? result.signal}: ${String(result.stderr).slice(-1000)}`,
    );
  }
  const usage = JSON.parse(String(result.output[3]).trim()) as { cpuMs: number; maxRssKb: number };
  return { wallMs, cpuMs: usage.cpuMs, maxRssKb: usage.maxRssKb };
}
