import { join } from 'node:path';
import type { Plugin } from 'esbuild';
import { builtInDetectionTrees, detectionTreesJson } from '../../lib/detection/rules/built-in-trees.ts';

/**
 * The built-in detections written as data (rules/), parsed here, at build time, and shipped as
 * JSON in place of the module that reads and parses them: a function compiles them at start
 * without a YAML parser (parsing YAML would cost a cold start about 20 ms of CPU, measured).
 *
 * @example
 * ```ts
 * await build({ entryPoints: ['functions/detect.ts'], bundle: true, plugins: [builtInDetectionsAsData()] });
 * ```
 */
export function builtInDetectionsAsData(): Plugin {
  const json = detectionTreesJson(builtInDetectionTrees());
  const module = join(import.meta.dirname, '../../lib/detection/rules/built-in-trees.ts');
  return {
    name: 'built-in-detections-as-data',
    setup(builder) {
      builder.onLoad({ filter: /built-in-trees\.ts$/ }, (args) => {
        if (args.path !== module) return undefined;
        return {
          contents: `export function builtInDetectionTrees() { return JSON.parse(${JSON.stringify(json)}); }\n`,
          loader: 'js',
        };
      });
    },
  };
}
