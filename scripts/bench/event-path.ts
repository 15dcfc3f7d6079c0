// The per-event path on the corpus, against JSON.parse alone and against the peer: CPU time of
// whole passes over every line, the sides interleaved within each round (their order alternating)
// so that drifting machine load reaches both sides of every ratio alike.
import type { Peer } from './peer.ts';
import { cpuMs, figure, type Figure } from './stats.ts';

/** What the path does with one line: the number of matches (kept, so nothing is optimised away). */
export type LinePath = (line: string) => number;

/** The figures of the per-event path. */
export interface EventPathFigures {
  /** CPU time of our path over CPU time of `JSON.parse` of every line, per round. */
  readonly parseRatio: Figure;
  /** Events through our path per CPU second. */
  readonly eventsPerSecond: Figure;
  /** Lines through `JSON.parse` alone per CPU second. */
  readonly parseEventsPerSecond: Figure;
  /**
   * The physical floor of `parseRatio`: `JSON.parse` of only the lines our path must parse in
   * full, over `JSON.parse` of every line. No path that parses those lines can go below it.
   */
  readonly floor: Figure;
  /** Rounds whose ratio fell below that round's floor (noise, if any: each is reported). */
  readonly belowFloor: number;
  /** Matches of one pass of our path over every line. */
  readonly matches: number;
  /**
   * The peer side by side (its pass over the same events in Panther's shape): its events per CPU
   * second, our speed over its (its CPU over ours, per round) and the matches of its pass.
   */
  readonly peer?: {
    readonly pass: 'one' | 'pack';
    readonly eventsPerSecond: Figure;
    readonly parseEventsPerSecond: Figure;
    readonly ratio: Figure;
    readonly matches: number;
  };
  readonly rounds: number;
}

/**
 * Measures `path` over `lines` in `rounds` interleaved rounds: `JSON.parse` of every line, our
 * path, `JSON.parse` of `parsedLines` only (the floor) and, when given, the peer's `peerPass` and
 * its `parse` pass. The peer's events must be ours in Panther's shape, one for one.
 *
 * @example
 * ```ts
 * const figures = await measureEventPath(corpus.lines, (line) => evaluateLine(line), { rounds: 9, parsedLines });
 * ```
 */
export async function measureEventPath(
  lines: readonly string[],
  path: LinePath,
  options: { rounds: number; parsedLines: readonly string[]; peer?: Peer; peerPass?: 'one' | 'pack' },
): Promise<EventPathFigures> {
  const peer = options.peer;
  const peerPass = options.peerPass ?? 'pack';
  if (peer && peer.events !== lines.length)
    throw new Error(`the peer has ${peer.events} events, our corpus ${lines.length}: not the same events`);
  let sink = 0;
  const passes = {
    parse: () => {
      for (const line of lines) sink += (JSON.parse(line) as unknown) === null ? 0 : 1;
    },
    path: () => {
      for (const line of lines) sink += path(line);
    },
    floor: () => {
      for (const line of options.parsedLines) sink += (JSON.parse(line) as unknown) === null ? 0 : 1;
    },
  };
  let matches = 0;
  for (const line of lines) matches += path(line);
  // Warm-up: every function optimised before the first timed pass.
  for (let i = 0; i < 3; i++) for (const pass of Object.values(passes)) pass();

  const parse: number[] = [];
  const ours: number[] = [];
  const floor: number[] = [];
  const peerMain: number[] = [];
  const peerParse: number[] = [];
  const peerMatches = new Set<number>();
  const timePeer = async (kind: 'parse' | 'main') => {
    if (!peer) return;
    const answer = await peer.pass(kind === 'parse' ? 'parse' : peerPass);
    if (kind === 'parse') peerParse.push(answer.cpuMs);
    else {
      peerMain.push(answer.cpuMs);
      peerMatches.add(answer.matches);
    }
  };
  // One round: our three passes in the given order, each sample kept at the round's index.
  const timeOurs = (order: ReadonlyArray<'parse' | 'path' | 'floor'>) => {
    const times: Record<string, number> = {};
    for (const kind of order) times[kind] = cpuMs(passes[kind]);
    parse.push(times.parse ?? 0);
    ours.push(times.path ?? 0);
    floor.push(times.floor ?? 0);
  };
  for (let round = 0; round < options.rounds; round++) {
    // Alternate the order within a round, and keep each round's samples at one index.
    if (round % 2 === 0) {
      timeOurs(['parse', 'path', 'floor']);
      await timePeer('main');
      await timePeer('parse');
    } else {
      await timePeer('parse');
      await timePeer('main');
      timeOurs(['floor', 'path', 'parse']);
    }
  }
  if (peerMatches.size > 1) throw new Error(`the peer's ${peerPass} pass matched ${[...peerMatches].join(', ')}`);
  if (sink < 0) throw new Error('unreachable');
  const n = lines.length;
  const ratios = ours.map((ms, i) => ms / (parse[i] ?? ms));
  const floors = floor.map((ms, i) => ms / (parse[i] ?? ms));
  const perSecond = (samples: readonly number[]) => samples.map((ms) => n / (ms / 1000));
  return {
    parseRatio: figure(ratios),
    eventsPerSecond: figure(perSecond(ours), 0),
    parseEventsPerSecond: figure(perSecond(parse), 0),
    floor: figure(floors),
    belowFloor: ratios.filter((ratio, i) => ratio < (floors[i] ?? 0)).length,
    matches,
    ...(peer
      ? {
          peer: {
            pass: peerPass,
            eventsPerSecond: figure(perSecond(peerMain), 0),
            parseEventsPerSecond: figure(perSecond(peerParse), 0),
            ratio: figure(
              ours.map((ms, i) => (peerMain[i] ?? ms) / ms),
              2,
            ),
            matches: [...peerMatches][0] ?? 0,
          },
        }
      : {}),
    rounds: options.rounds,
  };
}
