import { printable } from '../../shared/printable.ts';

/**
 * Edit distance (insertions, deletions, substitutions and swaps of two neighbours), case-insensitive:
 * typos differ in a letter or two, or swap two (`Valeu`).
 */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows: number[][] = [Array.from({ length: y.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const above = rows[i - 1] as number[];
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[x.length]?.[y.length] ?? 0;
}

/**
 * ` (did you mean 'X'?)` for the known name closest to `word`, when one is close enough to be a typo
 * (a different case, or a few letters off); otherwise an empty string.
 *
 * @example
 * ```ts
 * didYouMean('StartWith', ['StartsWith', 'EndsWith']); // " (did you mean 'StartsWith'?)"
 * didYouMean('Banana', ['StartsWith']);                // ''
 * ```
 */
export function didYouMean(word: string, known: readonly string[]): string {
  // Anything longer than the longest name is no typo of it; this also bounds the work on hostile input.
  if (word.length > 64) return '';
  const limit = word.length <= 5 ? 1 : word.length <= 12 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = distance(word, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= limit ? ` (did you mean '${printable(best)}'?)` : '';
}
