import { printable } from '../shared/printable.ts';

/**
 * Something in the archive a reader skipped: an object or a line of one that it cannot read. Never
 * fatal: the reader goes on with the rest.
 *
 * @example
 * ```ts
 * const problem: ArchiveProblem = { key: 'events/org=none/dt=2024-11-24/ab12.jsonl.gz', line: 3, reason: 'not valid JSON: ...' };
 * ```
 */
export interface ArchiveProblem {
  /** The object's key (relative to the archive's prefix). */
  readonly key: string;
  /** The line (from 1) when the problem is one line's; absent when it is the whole object's. */
  readonly line?: number;
  readonly reason: string;
}

/**
 * A problem as one printable line: `key:line: reason` (`key: reason` for a whole object), secrets
 * masked and controls escaped.
 *
 * @example
 * ```ts
 * describeArchiveProblem({ key: 'events/org=none/dt=2024-11-24/ab12.jsonl.gz', line: 3, reason: 'not valid JSON' });
 * // 'events/org=none/dt=2024-11-24/ab12.jsonl.gz:3: not valid JSON'
 * ```
 */
export function describeArchiveProblem(problem: ArchiveProblem): string {
  const where = problem.line === undefined ? printable(problem.key) : `${printable(problem.key)}:${problem.line}`;
  return `${where}: ${printable(problem.reason, 500)}`;
}
