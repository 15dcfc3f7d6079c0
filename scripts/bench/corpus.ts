// The corpus the per-event figures are measured on: a JSON Lines file given with --corpus, or the
// shared corpus generated at bench time by ../shared/bench/gen-events.mjs (what the peer is held
// against), with the generator's own arguments.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shared generator, beside this repository. */
export const GENERATOR = join(import.meta.dirname, '../../../shared/bench/gen-events.mjs');

/** The shared corpus's arguments: 100,000 events, 10 per mille elevated, OpenAI's raw shape. */
export const SHARED_CORPUS_ARGS = ['100000', '10', 'raw'] as const;

/** A corpus in memory: its lines (blank lines dropped) and where it came from. */
export interface Corpus {
  readonly lines: readonly string[];
  readonly bytes: number;
  readonly source: string;
  /** The generator's arguments, when it was generated (the same events in Panther's shape: `pantherArgs`). */
  readonly generatorArgs?: readonly string[];
}

/**
 * The generator's arguments for the same events in Panther's shape.
 *
 * @example
 * ```ts
 * pantherArgs(['100000', '10', 'raw']); // ['100000', '10', 'panther']
 * ```
 */
export function pantherArgs(args: readonly string[]): string[] {
  const [events = SHARED_CORPUS_ARGS[0], perMille = SHARED_CORPUS_ARGS[1], , ...rest] = args;
  return [events, perMille, 'panther', ...rest];
}

function linesOf(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/**
 * Runs the shared generator and returns its output (throws, saying where it looked, when it is
 * missing).
 *
 * @example
 * ```ts
 * const text = generateEvents(['1000', '10', 'raw']);
 * ```
 */
export function generateEvents(args: readonly string[]): string {
  if (!existsSync(GENERATOR))
    throw new Error(`the shared corpus generator is missing (looked for ${GENERATOR}); pass --corpus FILE`);
  const result = spawnSync(process.execPath, [GENERATOR, ...args], { encoding: 'utf8', maxBuffer: 2 ** 31 - 1 });
  if (result.status !== 0) throw new Error(`${GENERATOR} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * Runs the shared generator into `file` (for corpora too large to hold as one string).
 *
 * @example
 * ```ts
 * generateEventsToFile(['1000000', '10', 'raw'], '.bench/events-1000000.jsonl');
 * ```
 */
export function generateEventsToFile(args: readonly string[], file: string): void {
  if (!existsSync(GENERATOR)) throw new Error(`the shared corpus generator is missing (looked for ${GENERATOR})`);
  const fd = openSync(file, 'w');
  try {
    const result = spawnSync(process.execPath, [GENERATOR, ...args], {
      stdio: ['ignore', fd, 'pipe'],
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`${GENERATOR} ${args.join(' ')} failed: ${result.stderr}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * The corpus: the file's lines, or the shared corpus generated now (`events` overrides its size,
 * for --quick).
 *
 * @example
 * ```ts
 * const corpus = loadCorpus(args.corpus);
 * ```
 */
export function loadCorpus(file: string | undefined, events?: number): Corpus {
  if (file !== undefined) {
    const text = readFileSync(file, 'utf8');
    return { lines: linesOf(text), bytes: Buffer.byteLength(text), source: file };
  }
  const args = [String(events ?? SHARED_CORPUS_ARGS[0]), SHARED_CORPUS_ARGS[1], SHARED_CORPUS_ARGS[2]];
  const text = generateEvents(args);
  return {
    lines: linesOf(text),
    bytes: Buffer.byteLength(text),
    source: `gen-events.mjs ${args.join(' ')}`,
    generatorArgs: args,
  };
}
