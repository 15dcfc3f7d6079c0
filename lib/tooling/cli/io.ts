import { readFile } from 'node:fs/promises';

/** What the CLI touches outside itself; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  /** Standard input as text chunks, as they arrive (commands that stream prefer it to readStdin). */
  readonly stdinChunks?: () => AsyncIterable<string>;
  /** Resolves once what was written to stdout has been taken by the reader (backpressure). */
  readonly drain?: () => Promise<void>;
  readonly stdinIsTty: boolean;
  readonly stderrIsTty: boolean;
  readonly readFile: (path: string) => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The real process's streams, files and environment. A closed stdout (`... | head`) ends the
 * process quietly instead of crashing it.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdinChunks: () => {
      process.stdin.setEncoding('utf8');
      return process.stdin as AsyncIterable<string>;
    },
    drain: () =>
      process.stdout.writableNeedDrain
        ? new Promise((resolve) => process.stdout.once('drain', () => resolve()))
        : Promise.resolve(),
    stdinIsTty: process.stdin.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    readFile: (path) => readFile(path, 'utf8'),
    env: process.env,
  };
}
