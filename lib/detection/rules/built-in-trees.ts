import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlTree } from '../panther/parse-yaml.ts';
import type { YamlTree } from '../panther/yaml-tree.ts';

/** The repository's own rules folder: the built-in detections written as data. */
export const BUILT_IN_RULES_DIR = fileURLToPath(new URL('../../../rules/', import.meta.url));

/**
 * The built-in detections written as data (every `.yml` and `.yaml` file under
 * {@link BUILT_IN_RULES_DIR}, in path order), parsed, each named by its path from the repository
 * root (`rules/openai/login-failed.yml`). The build replaces this module in the functions' bundles
 * with the same trees as JSON (scripts/build.ts), so a function never parses YAML for them.
 *
 * @example
 * ```ts
 * for (const tree of builtInDetectionTrees()) compilePantherRule(YamlFile.fromTree(tree));
 * ```
 */
export function builtInDetectionTrees(): YamlTree[] {
  const root = join(BUILT_IN_RULES_DIR, '..');
  return readdirSync(BUILT_IN_RULES_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/i.test(file))
    .sort()
    .map((file) => {
      const path = join(BUILT_IN_RULES_DIR, file);
      return parseYamlTree(readFileSync(path, 'utf8'), relative(root, path));
    });
}

/**
 * Detection trees as JSON, as a bundle ships them: only what `compilePantherRule` reads (no `Tests`,
 * no text). Throws naming the file when a tree cannot be written as JSON (an anchor that contains
 * an alias to itself).
 *
 * @example
 * ```ts
 * const json = detectionTreesJson(builtInDetectionTrees()); // '[{"source":"rules/openai/login-failed.yml",...'
 * ```
 */
export function detectionTreesJson(trees: readonly YamlTree[]): string {
  return JSON.stringify(
    trees.map((tree) => {
      const { root } = tree;
      const shipped =
        root?.kind === 'mapping'
          ? { ...root, entries: root.entries.filter(({ key }) => !(key.kind === 'scalar' && key.value === 'Tests')) }
          : root;
      try {
        JSON.stringify(shipped);
      } catch (error) {
        throw new Error(
          `${tree.source}: cannot be shipped as data: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      return { source: tree.source, text: '', root: shipped };
    }),
  );
}
