// evaluate against its peer, both as processes: our CLI over the generated events in OpenAI's shape,
// and ../shared/bench/panther-pack-peer.py `stream` (Panther's pack in Python) over the same events
// in Panther's shape. CPU time and peak RSS of each child, paired per round (the sides alternating
// which goes first), output read through a pipe; the whole pack, and the API-key rule alone on both
// sides.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runNode, type ChildUsage } from './child-usage.ts';
import { BIN, cleanEnv, sameRuleConfig } from './cli.ts';
import { generateEventsToFile, pantherArgs } from './corpus.ts';
import { peerUnavailable, runPeerStream } from './peer.ts';
import { figure, log, type Figure } from './stats.ts';

const root = join(import.meta.dirname, '../..');

/** One side of the comparison per round. */
export interface EvaluateSide {
  readonly cpuMs: Figure;
  readonly maxRssMb: Figure;
  /** Alert lines printed over the file (the same in every round). */
  readonly alertLines: number;
}

/** evaluate against the peer's stream. */
export interface EvaluatePeerFigures {
  /** The peer's CPU time over ours, per round, whole pack: above 1, we are faster. */
  readonly evaluatePeerRatio: Figure;
  /** The same with only the API-key rule on both sides. */
  readonly evaluateSameRulePeerRatio: Figure;
  readonly ours: EvaluateSide;
  readonly peer: EvaluateSide;
  readonly sameRuleOurs: EvaluateSide;
  readonly sameRulePeer: EvaluateSide;
  readonly lines: number;
  readonly rounds: number;
}

/**
 * Runs `evaluate` and the peer's `stream` over `lines` generated events, `rounds` paired rounds,
 * each side's output read and its lines counted; or says why the peer cannot run. Throws when the
 * peer prints no alert (its events would not be in Panther's shape).
 *
 * @example
 * ```ts
 * const figures = measureEvaluatePeer({ lines: 400_000, rounds: 5 });
 * ```
 */
export function measureEvaluatePeer(sizes: {
  lines: number;
  rounds: number;
}): EvaluatePeerFigures | { readonly unavailable: string } {
  const unavailable = peerUnavailable();
  if (unavailable !== undefined) return { unavailable };
  const dir = join(root, '.bench');
  mkdirSync(dir, { recursive: true });
  const rawArgs = [String(sizes.lines), '10', 'raw'];
  const files = {
    raw: join(dir, `events-${sizes.lines}.jsonl`),
    panther: join(dir, `events-${sizes.lines}-panther.jsonl`),
  };
  log(`  generating ${sizes.lines} events in OpenAI's and in Panther's shape...`);
  generateEventsToFile(rawArgs, files.raw);
  generateEventsToFile(pantherArgs(rawArgs), files.panther);

  const env = cleanEnv();
  const sameRuleEnv = { ...env, RULES_CONFIG: sameRuleConfig() };
  // Each side's output is read and its lines counted (the alert lines it printed).
  const runs = {
    ours: () => runNode([BIN, 'evaluate', files.raw], { env, cwd: root, countLines: true }),
    peer: () => runPeerStream(files.panther, 'pack', { countLines: true }),
    sameRuleOurs: () => runNode([BIN, 'evaluate', files.raw], { env: sameRuleEnv, cwd: root, countLines: true }),
    sameRulePeer: () => runPeerStream(files.panther, 'one', { countLines: true }),
  };
  type Side = keyof typeof runs;
  const samples: Record<Side, ChildUsage[]> = { ours: [], peer: [], sameRuleOurs: [], sameRulePeer: [] };
  for (let round = 0; round < sizes.rounds; round++) {
    log(`  evaluate against the peer, round ${round + 1} of ${sizes.rounds}...`);
    for (const pair of [
      ['ours', 'peer'],
      ['sameRuleOurs', 'sameRulePeer'],
    ] as const) {
      const order = round % 2 === 0 ? pair : ([pair[1], pair[0]] as const);
      for (const side of order) samples[side].push(runs[side]());
    }
  }
  const alertLines = (name: Side): number => {
    const counts = new Set(samples[name].map((usage) => usage.lines ?? 0));
    if (counts.size !== 1) throw new Error(`${name} printed ${[...counts].join(', ')} lines in different rounds`);
    return [...counts][0] ?? 0;
  };
  for (const name of ['peer', 'sameRulePeer'] as const)
    if (alertLines(name) === 0)
      throw new Error(
        `the peer (${name}) printed no alert over ${files.panther}: its events are not in Panther's shape, so the comparison would be meaningless`,
      );
  const side = (name: Side): EvaluateSide => ({
    cpuMs: figure(
      samples[name].map((usage) => usage.cpuMs),
      0,
    ),
    maxRssMb: figure(
      samples[name].map((usage) => usage.maxRssKb / 1024),
      1,
    ),
    alertLines: alertLines(name),
  });
  const ratio = (peer: readonly ChildUsage[], ours: readonly ChildUsage[]) =>
    figure(
      peer.map((usage, i) => usage.cpuMs / (ours[i]?.cpuMs ?? usage.cpuMs)),
      2,
    );
  return {
    evaluatePeerRatio: ratio(samples.peer, samples.ours),
    evaluateSameRulePeerRatio: ratio(samples.sameRulePeer, samples.sameRuleOurs),
    ours: side('ours'),
    peer: side('peer'),
    sameRuleOurs: side('sameRuleOurs'),
    sameRulePeer: side('sameRulePeer'),
    lines: sizes.lines,
    rounds: sizes.rounds,
  };
}
