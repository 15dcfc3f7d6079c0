// The peer process: Panther's rule in Python (panther-peer.py), driven one pass at a time so its
// passes interleave with ours and each pair of passes sees the same machine load.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Panther's rule of our first detection, run unchanged from the shared reference pack. */
export const PEER_RULE = join(
  import.meta.dirname,
  '../../../shared/reference/panther-openai-pack/openai_api_key_anomalous_activity.py',
);

/** A running peer: one pass at a time, its CPU milliseconds. */
export interface Peer {
  readonly events: number;
  readonly matches: number;
  readonly python: string;
  pass(kind: 'full' | 'parse'): Promise<number>;
  close(): void;
}

/** Why there is no peer figure, or the peer. */
export type PeerStart = { readonly peer: Peer } | { readonly unavailable: string };

/**
 * Starts the peer on `corpusFile` when python3 and the shared rule are there.
 *
 * @example
 * ```ts
 * const started = await startPeer('/tmp/corpus.jsonl');
 * if ('peer' in started) await started.peer.pass('full');
 * ```
 */
export async function startPeer(corpusFile: string): Promise<PeerStart> {
  if (!existsSync(PEER_RULE)) return { unavailable: `no peer rule at ${PEER_RULE}` };
  const version = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return { unavailable: 'python3 is not installed' };
  const child: ChildProcessWithoutNullStreams = spawn(
    'python3',
    [join(import.meta.dirname, 'panther-peer.py'), PEER_RULE, corpusFile],
    { stdio: 'pipe' },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done === true) throw new Error(`the peer stopped: ${stderr.trim().slice(-500)}`);
    return line.value;
  };
  const ready = JSON.parse(await next()) as { events: number; matches: number };
  return {
    peer: {
      events: ready.events,
      matches: ready.matches,
      python: (version.stdout || version.stderr).trim(),
      pass: async (kind) => {
        child.stdin.write(`${kind}\n`);
        return Number(await next()) * 1000;
      },
      close: () => {
        child.stdin.end('quit\n');
      },
    },
  };
}
