import type { Metafile } from 'esbuild';

/** What a bundle loads at start: its entry and the chunks it imports statically, transitively. */
export interface EagerOutputs {
  /** Output files, the entry first. */
  readonly files: readonly string[];
  /** Node built-ins those files import statically (`node:fs`, ...), sorted. */
  readonly builtins: readonly string[];
}

/**
 * The outputs of a build that load when `entry` is imported, before any dynamic import runs.
 *
 * @example
 * ```ts
 * const { files, builtins } = eagerOutputs(metafile, 'dist/detect/index.mjs');
 * ```
 */
export function eagerOutputs(metafile: Metafile, entry: string): EagerOutputs {
  const files = new Set<string>();
  const builtins = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const dependency of metafile.outputs[file]?.imports ?? []) {
      if (dependency.kind !== 'import-statement') continue;
      if (metafile.outputs[dependency.path]) visit(dependency.path);
      else if (dependency.external)
        builtins.add(dependency.path.startsWith('node:') ? dependency.path : `node:${dependency.path}`);
    }
  };
  visit(entry);
  return { files: [...files], builtins: [...builtins].sort() };
}
