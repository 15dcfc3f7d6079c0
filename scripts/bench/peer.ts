// The peer: Panther's whole OpenAI pack in Python as Panther ships it, over the same events in
// Panther's shape, with Panther's own event wrapper (../shared/bench/panther-pack-peer.py). In process
// it is driven one pass at a time (`serve`), so its passes interleave with ours and each pair of
// passes sees the same machine load; as a process (`stream`) it is the peer of `evaluate`.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runPython, type ChildUsage } from './child-usage.ts';

/** The shared peer, beside this repository. */
export const PEER_SCRIPT = join(import.meta.dirname, '../../../shared/bench/panther-pack-peer.py');

/** Panther's pack, which the peer loads (its PACK variable, when set, overrides it). */
const PEER_PACK = process.env.PACK ?? join(import.meta.dirname, '../../../shared/reference/panther-openai-pack');

/** The peer's passes: its rule API-key only (`one`), the whole pack (`pack`), `json.loads` alone. */
export type PeerPass = 'parse' | 'one' | 'pack';

/** A running peer: one pass at a time, its CPU milliseconds and matches. */
export interface Peer {
  readonly events: number;
  /** Matches of its warm-up passes: the API-key rule alone, the whole pack. */
  readonly matches: { readonly one: number; readonly pack: number };
  /** The whole pack's alerts once thresholds are counted in their windows (its `packstate` pass). */
  readonly packAlerts: number;
  readonly rules: readonly string[];
  readonly python: string;
  pass(kind: PeerPass): Promise<{ cpuMs: number; matches: number }>;
  close(): void;
}

/** Why there is no peer figure, or the peer. */
export type PeerStart = { readonly peer: Peer } | { readonly unavailable: string };

/**
 * Why the peer cannot run here (no python3, no PyYAML, no shared peer or pack), or undefined.
 *
 * @example
 * ```ts
 * const reason = peerUnavailable();
 * ```
 */
export function peerUnavailable(): string | undefined {
  if (!existsSync(PEER_SCRIPT)) return `no peer at ${PEER_SCRIPT}`;
  if (!existsSync(PEER_PACK)) return `no Panther pack at ${PEER_PACK}`;
  const version = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return 'python3 is not installed';
  if (spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status !== 0)
    return 'PyYAML is not installed (python3 -c "import yaml" fails)';
  return undefined;
}

/** The bench's events are the same on both sides; a peer that matches nothing reads the wrong shape. */
function mustMatch(what: string, matches: number, corpusFile: string): void {
  if (matches === 0)
    throw new Error(
      `the peer (${what}) matched nothing on ${corpusFile}: the corpus is not in Panther's shape, so the comparison would be meaningless`,
    );
}

/**
 * Starts the peer's `serve` over `corpusFile` (Panther's shape), or says why it cannot run. Throws
 * when the peer matches nothing with its API-key rule or with its whole pack.
 *
 * @example
 * ```ts
 * const started = await startPeer('.bench/corpus-panther.jsonl');
 * if ('peer' in started) await started.peer.pass('pack');
 * ```
 */
export async function startPeer(corpusFile: string): Promise<PeerStart> {
  const unavailable = peerUnavailable();
  if (unavailable !== undefined) return { unavailable };
  const child: ChildProcessWithoutNullStreams = spawn('python3', [PEER_SCRIPT, 'serve', corpusFile], {
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done === true) throw new Error(`the peer stopped: ${stderr.trim().slice(-500)}`);
    return line.value;
  };
  const ready = JSON.parse(await next()) as {
    events: number;
    counts: { one: number; pack: number; packstate: number };
    rules: string[];
    python: string;
  };
  try {
    mustMatch('its API-key rule', ready.counts.one, corpusFile);
    mustMatch('its whole pack', ready.counts.pack, corpusFile);
  } catch (error) {
    child.stdin.end('quit\n');
    throw error;
  }
  return {
    peer: {
      events: ready.events,
      matches: { one: ready.counts.one, pack: ready.counts.pack },
      // packstate answers matches * 1,000,000 + alerts.
      packAlerts: ready.counts.packstate % 1_000_000,
      rules: ready.rules,
      python: `Python ${ready.python}`,
      pass: async (kind) => {
        child.stdin.write(`${kind}\n`);
        const [seconds = 'NaN', matches = 'NaN'] = (await next()).split(' ');
        return { cpuMs: Number(seconds) * 1000, matches: Number(matches) };
      },
      close: () => {
        child.stdin.end('quit\n');
      },
    },
  };
}

/**
 * Runs the peer's `stream` (the peer of `evaluate`) over `corpusFile` with its whole pack or its
 * API-key rule alone: its CPU time, peak RSS and, with `countLines`, the alert lines it printed.
 *
 * @example
 * ```ts
 * const usage = runPeerStream('.bench/events-400000-panther.jsonl', 'pack');
 * ```
 */
export function runPeerStream(
  corpusFile: string,
  rules: 'pack' | 'one',
  options: { countLines?: boolean } = {},
): ChildUsage {
  return runPython(PEER_SCRIPT, ['stream', corpusFile, rules], options);
}
