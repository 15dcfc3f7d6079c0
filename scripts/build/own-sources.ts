// Source maps of our own code only: the mappings into node_modules (most of a bundle with the AWS
// SDK) are dropped, so a deployed function carries maps for the frames that are ours to fix, at a
// fraction of the size. A frame inside a dependency then shows its bundle position.

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i] as const));

/** A source map (version 3) as esbuild writes it. */
export interface SourceMapV3 {
  version: number;
  sources: string[];
  sourcesContent?: Array<string | null>;
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

function decode(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const digit = DIGIT.get(c);
    if (digit === undefined) throw new Error(`not a base64 VLQ digit: ${c}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

function encode(values: readonly number[]): string {
  let text = '';
  for (const signed of values) {
    let value = signed < 0 ? -signed * 2 + 1 : signed * 2;
    do {
      let digit = value % 32;
      value = Math.floor(value / 32);
      if (value > 0) digit |= 32;
      text += BASE64[digit];
    } while (value > 0);
  }
  return text;
}

/**
 * The map without the mappings whose source `keep` rejects; unused sources and names are dropped
 * and the rest renumbered. Generated positions of what is kept are unchanged.
 *
 * @example
 * ```ts
 * const own = keepSources(JSON.parse(text), (source) => !source.includes('node_modules/'));
 * ```
 */
export function keepSources(map: SourceMapV3, keep: (source: string) => boolean): SourceMapV3 {
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  const sources: string[] = [];
  const names: string[] = [];
  const renumber = (index: Map<number, number>, list: string[], from: readonly string[], i: number): number => {
    let to = index.get(i);
    if (to === undefined) {
      to = list.length;
      list.push(from[i] ?? '');
      index.set(i, to);
    }
    return to;
  };
  // Absolute fields, carried across segments and lines as the format's deltas are.
  let source = 0;
  let line = 0;
  let column = 0;
  let name = 0;
  // The same for the output.
  let outSource = 0;
  let outLine = 0;
  let outColumn = 0;
  let outName = 0;
  // Whether the last segment written maps somewhere: a lookup falls on the last segment at or
  // before its position, so a dropped one is written as "mapped to nothing", once per run.
  let lastMapped = false;
  const lines = map.mappings.split(';').map((text) => {
    let generated = 0;
    let outGenerated = 0;
    const kept: string[] = [];
    for (const segment of text === '' ? [] : text.split(',')) {
      const fields = decode(segment);
      generated += fields[0] ?? 0;
      let mapped = false;
      if (fields.length >= 4) {
        source += fields[1] ?? 0;
        line += fields[2] ?? 0;
        column += fields[3] ?? 0;
        if (fields.length >= 5) name += fields[4] ?? 0;
        mapped = keep(map.sources[source] ?? '');
      }
      if (!mapped) {
        if (lastMapped || kept.length === 0) {
          kept.push(encode([generated - outGenerated]));
          outGenerated = generated;
        }
        lastMapped = false;
        continue;
      }
      const s = renumber(sourceIndex, sources, map.sources, source);
      const out = [generated - outGenerated, s - outSource, line - outLine, column - outColumn];
      if (fields.length >= 5) {
        const n = renumber(nameIndex, names, map.names, name);
        out.push(n - outName);
        outName = n;
      }
      outGenerated = generated;
      outSource = s;
      outLine = line;
      outColumn = column;
      lastMapped = true;
      kept.push(encode(out));
    }
    return kept.join(',');
  });
  const result: SourceMapV3 = { ...map, sources, names, mappings: lines.join(';') };
  if (map.sourcesContent) result.sourcesContent = [...sourceIndex.keys()].map((i) => map.sourcesContent?.[i] ?? null);
  return result;
}
