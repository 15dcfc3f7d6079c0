// Figures from repeated measurements: median with min and max, percentiles, CPU time of a pass,
// and a collected heap between passes so one pass does not pay for another's garbage.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Median, min and max of a sample. */
export interface Figure {
  median: number;
  min: number;
  max: number;
}

/**
 * The median, min and max of `values`, rounded to `digits` decimals.
 *
 * @example
 * ```ts
 * figure([3, 1, 2]); // { median: 2, min: 1, max: 3 }
 * ```
 */
export function figure(values: readonly number[], digits = 3): Figure {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  const round = (v: number) => Number(v.toFixed(digits));
  return { median: round(median), min: round(sorted[0] ?? 0), max: round(sorted.at(-1) ?? 0) };
}

/**
 * The `p`th percentile (nearest rank) of `values`.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2
 * ```
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/**
 * CPU time (user + system, milliseconds) of `work`, after a full garbage collection so the heap
 * left by earlier passes is not charged to this one.
 *
 * @example
 * ```ts
 * const ms = cpuMs(() => { for (const line of lines) JSON.parse(line); });
 * ```
 */
export function cpuMs(work: () => void): number {
  collect();
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Writes a progress line on standard error (standard output carries only the figures). */
export const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
