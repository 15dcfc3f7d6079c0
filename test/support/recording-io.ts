import { readFile } from 'node:fs/promises';
import type { CliIo } from '../../lib/tooling/cli/io.ts';

/** A {@link CliIo} that records what the CLI writes; stdin and environment are given. */
export function recordingIo(options: { stdin?: string; env?: Record<string, string>; tty?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readStdin: () => Promise.resolve(options.stdin ?? ''),
    stdinIsTty: options.tty ?? false,
    stderrIsTty: false,
    readFile: (path) => readFile(path, 'utf8'),
    env: options.env ?? {},
  };
  return {
    io,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    lines: () =>
      out
        .join('')
        .split('\n')
        .filter((line) => line !== ''),
  };
}
