import { join } from 'node:path';
import type { LogLevel } from '../../../shared/log-level.ts';
import { EXIT_USAGE } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

/** The bundled sample events: both event shapes, benign noise, elevated keys, repeats by one actor. */
export const SAMPLE_EVENTS = join(import.meta.dirname, '../../../../examples/sample-events.jsonl');

const LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** Options of `start`. */
export interface StartOptions {
  readonly events?: string;
  readonly json?: boolean;
  readonly 'keep-running'?: boolean;
  readonly 'log-level'?: string;
  readonly payloads?: boolean;
  readonly 'archive-dir'?: string;
}

/**
 * `start` (what `npm start` runs): the whole pipeline on embedded emulators. Loads the emulators
 * only when called.
 *
 * @example
 * ```ts
 * await startCommand({ json: true }, io, interrupted);
 * ```
 */
export async function startCommand(options: StartOptions, io: CliIo, interrupted: Promise<void>): Promise<number> {
  const level = (options['log-level'] ?? 'WARN').toUpperCase() as LogLevel;
  if (!LEVELS.includes(level)) {
    io.stderr(`start: --log-level must be one of ${LEVELS.join(', ')}\n`);
    return EXIT_USAGE;
  }
  const { runLocalPipeline } = await import('../../local/run-local.ts');
  return runLocalPipeline(
    {
      eventsFile: options.events ?? SAMPLE_EVENTS,
      json: options.json === true,
      keepRunning: options['keep-running'] === true,
      logLevel: level,
      payloads: options.payloads === true,
      ...(options['archive-dir'] === undefined ? {} : { archiveDir: options['archive-dir'] }),
    },
    { ...io, stderrIsTty: io.stderrIsTty, interrupted },
  );
}
