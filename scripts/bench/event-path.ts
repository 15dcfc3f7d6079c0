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
  /** The peer side by side: its events per CPU second and our speed over its, per round. */
  readonly peer?: {
    readonly eventsPerSecond: Figure;
    readonly parseEventsPerSecond: Figure;
    readonly ratio: Figure;
    readonly matches: number;
    readonly python: string;
  };
  readonly rounds: number;
}

/**
 * Measures `path` over `lines` in `rounds` interleaved rounds: `JSON.parse` of every line, our
 * path, `JSON.parse` of `parsedLines` only (the floor) and, when given, one pass of the peer.
 *
 * @example
 * ```ts
 * const figures = await measureEventPath(corpus.lines, (line) => evaluateLine(line), { rounds: 9, parsedLines });
 * ```
 */
export async function measureEventPath(
  lines: readonly string[],
  path: LinePath,
  options: { rounds: number; parsedLines: readonly string[]; peer?: Peer },
): Promise<EventPathFigures> {
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
  // Warm-up: every function optimised before the first timed pass.
  for (let i = 0; i < 3; i++) for (const pass of Object.values(passes)) pass();

  const parse: number[] = [];
  const ours: number[] = [];
  const floor: number[] = [];
  const peerFull: number[] = [];
  const peerParse: number[] = [];
  // One round: our three passes in the given order, each sample kept at the round's index.
  const timeOurs = (order: ReadonlyArray<'parse' | 'path' | 'floor'>) => {
    const times: Record<string, number> = {};
    for (const kind of order) times[kind] = cpuMs(passes[kind]);
    parse.push(times.parse ?? 0);
    ours.push(times.path ?? 0);
    floor.push(times.floor ?? 0);
  };
  for (let round = 0; round < options.rounds; round++) {
    const peer = options.peer;
    // Alternate the order within a round, and keep each round's samples at one index.
    if (round % 2 === 0) {
      timeOurs(['parse', 'path', 'floor']);
      if (peer) {
        peerFull.push(await peer.pass('full'));
        peerParse.push(await peer.pass('parse'));
      }
    } else {
      if (peer) {
        peerParse.push(await peer.pass('parse'));
        peerFull.push(await peer.pass('full'));
      }
      timeOurs(['floor', 'path', 'parse']);
    }
  }
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
    ...(options.peer
      ? {
          peer: {
            eventsPerSecond: figure(perSecond(peerFull), 0),
            parseEventsPerSecond: figure(perSecond(peerParse), 0),
            ratio: figure(
              ours.map((ms, i) => (peerFull[i] ?? ms) / ms),
              2,
            ),
            matches: options.peer.matches,
            python: options.peer.python,
          },
        }
      : {}),
    rounds: options.rounds,
  };
}
