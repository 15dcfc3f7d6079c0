// Runs a Node.js or Python process with an exit-usage probe preloaded: its wall time (as the parent
// saw it), CPU time and peak resident memory (as the process measured itself), and, when asked, the
// number of lines it printed.
import { spawnSync } from 'node:child_process';

/**
 * Preloaded into a Node.js child (node --import): at exit, it writes the process's own CPU time and
 * peak resident memory as one JSON line to file descriptor 3, which the bench reads. The peak is
 * VmHWM of /proc/self/status where there is one: getrusage's maxrss on Linux also counts the memory
 * the child had between fork and exec, a copy of the bench's own (hundreds of MB once it holds
 * Buffers), which would hide the peak of a small child such as the Python peer.
 */
const NODE_PROBE_SOURCE = `import { readFileSync, writeSync } from 'node:fs';
process.on('exit', () => {
  const cpu = process.cpuUsage();
  let maxRssKb = process.resourceUsage().maxRSS;
  try {
    maxRssKb = Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {}
  writeSync(3, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb }) + '\\n');
});`;
const NODE_PROBE = `data:text/javascript,${encodeURIComponent(NODE_PROBE_SOURCE)}`;

/**
 * The same for a Python child (python3 -c PROBE SCRIPT ARGS...): runs SCRIPT as __main__ with ARGS,
 * then, at exit and after flushing its standard output, writes the same JSON line to descriptor 3.
 */
const PYTHON_PROBE = `import atexit, json, os, resource, runpy, sys
def _report():
    try:
        sys.stdout.flush()
    except Exception:
        pass
    u = resource.getrusage(resource.RUSAGE_SELF)
    rss = u.ru_maxrss
    try:
        rss = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1])
    except Exception:
        pass
    os.write(3, (json.dumps({"cpuMs": (u.ru_utime + u.ru_stime) * 1000, "maxRssKb": rss}) + "\\n").encode())
atexit.register(_report)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
`;

/** What one child process cost (and printed, when counted). */
export interface ChildUsage {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
  /** Lines on its standard output, with `countLines`; otherwise its output is discarded. */
  readonly lines?: number;
}

/** How to run a child. */
export interface ChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly allowStatus?: readonly number[];
  /** Read its standard output and count its lines (instead of discarding it). */
  readonly countLines?: boolean;
}

function runProbed(command: string, args: readonly string[], options: ChildOptions): ChildUsage {
  const start = performance.now();
  const result = spawnSync(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', options.countLines === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024 * 1024,
  });
  const wallMs = performance.now() - start;
  const allowed = options.allowStatus ?? [0];
  if (result.status === null || !allowed.includes(result.status)) {
    throw new Error(
      `${command} ${args.join(' ').slice(0, 200)} exited ${result.status ?? result.signal}: ${String(result.stderr).slice(-1000)}`,
    );
  }
  const usage = JSON.parse(String(result.output[3]).trim()) as { cpuMs: number; maxRssKb: number };
  const stdout = result.output[1];
  let lines: number | undefined;
  if (options.countLines === true && stdout) {
    lines = 0;
    for (let at = stdout.indexOf(10); at !== -1; at = stdout.indexOf(10, at + 1)) lines++;
  }
  return { wallMs, cpuMs: usage.cpuMs, maxRssKb: usage.maxRssKb, ...(lines === undefined ? {} : { lines }) };
}

/**
 * Runs `node --import <probe> ...args`, standard output discarded (or counted), and returns its
 * cost; throws when it fails (with its standard error).
 *
 * @example
 * ```ts
 * const bare = runNode(['-e', '0']);
 * ```
 */
export function runNode(args: readonly string[], options: ChildOptions = {}): ChildUsage {
  return runProbed(process.execPath, ['--import', NODE_PROBE, ...args], options);
}

/**
 * Runs `python3 script ...args` under the probe, standard output discarded (or counted), and returns
 * its cost; throws when it fails (with its standard error).
 *
 * @example
 * ```ts
 * const peer = runPython('panther-pack-peer.py', ['stream', 'events.jsonl', 'pack'], { countLines: true });
 * ```
 */
export function runPython(script: string, args: readonly string[], options: ChildOptions = {}): ChildUsage {
  return runProbed('python3', ['-c', PYTHON_PROBE, script, ...args], options);
}
