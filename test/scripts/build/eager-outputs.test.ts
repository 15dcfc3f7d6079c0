import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { eagerOutputs } from '../../../scripts/build/eager-outputs.ts';

type Import = Metafile['outputs'][string]['imports'][number];

function output(imports: Import[]): Metafile['outputs'][string] {
  return { bytes: 1, inputs: {}, imports, exports: [] };
}

describe('eagerOutputs', () => {
  it('follows static imports of chunks, transitively, not dynamic ones, and lists the built-ins they import', () => {
    const metafile: Metafile = {
      inputs: {},
      outputs: {
        'd/index.mjs': output([
          { path: 'd/chunk-a.mjs', kind: 'import-statement' },
          { path: 'd/lazy.mjs', kind: 'dynamic-import' },
          { path: 'node:fs', kind: 'import-statement', external: true },
        ]),
        'd/chunk-a.mjs': output([
          { path: 'd/chunk-b.mjs', kind: 'import-statement' },
          { path: 'd/index.mjs', kind: 'import-statement' },
          { path: 'url', kind: 'import-statement', external: true },
        ]),
        'd/chunk-b.mjs': output([{ path: 'node:module', kind: 'import-statement', external: true }]),
        'd/lazy.mjs': output([{ path: 'node:crypto', kind: 'import-statement', external: true }]),
      },
    };
    expect(eagerOutputs(metafile, 'd/index.mjs')).toEqual({
      files: ['d/index.mjs', 'd/chunk-a.mjs', 'd/chunk-b.mjs'],
      builtins: ['node:fs', 'node:module', 'node:url'],
    });
  });
});
