// The per-event path as it is deployed: bundled and minified by esbuild with the functions' own
// settings, not run through tsx (whose per-closure name helpers would be measured too).
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { builtInDetectionsAsData } from '../build/built-in-detections-as-data.ts';
import type * as LinePaths from './line-path.ts';

/**
 * Bundles line-path.ts into `outfile` and returns its paths.
 *
 * @example
 * ```ts
 * const { detectionPath } = await bundledLinePaths('.bench/line-path.mjs');
 * ```
 */
export async function bundledLinePaths(outfile: string): Promise<typeof LinePaths> {
  await build({
    entryPoints: [`${import.meta.dirname}/line-path.ts`],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    minify: true,
    logLevel: 'warning',
    plugins: [builtInDetectionsAsData()],
  });
  return (await import(`${pathToFileURL(outfile).href}?${Date.now()}`)) as typeof LinePaths;
}
