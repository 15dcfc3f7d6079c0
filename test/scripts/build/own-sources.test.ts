import { mkdtempSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { keepSources, type SourceMapV3 } from '../../../scripts/build/own-sources.ts';

const root = join(import.meta.dirname, '../../..');

describe('keepSources', () => {
  it('keeps every lookup into our code as it was, and maps nothing into node_modules', async () => {
    // A real bundle: our JSON scanner and a dependency (yaml), minified, as the functions are built.
    const outdir = mkdtempSync(join(tmpdir(), 'own-sources-'));
    await build({
      absWorkingDir: root,
      stdin: {
        contents: "export { isJsonText } from './lib/shared/json-scan.ts'; export { parse } from 'yaml';",
        resolveDir: root,
        loader: 'ts',
      },
      outfile: join(outdir, 'out.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      logLevel: 'silent',
    });
    const full = JSON.parse(readFileSync(join(outdir, 'out.mjs.map'), 'utf8')) as SourceMapV3;
    const own = keepSources(full, (source) => !source.includes('node_modules/'));
    expect(own.sources.some((source) => source.includes('node_modules/'))).toBe(false);
    expect(own.sources.some((source) => source.endsWith('lib/shared/json-scan.ts'))).toBe(true);
    expect(own.mappings.length).toBeLessThan(full.mappings.length / 3);

    const payload = (map: SourceMapV3) => ({
      file: 'out.mjs',
      sourceRoot: '',
      version: 3 as const,
      sources: map.sources,
      names: map.names,
      mappings: map.mappings,
      sourcesContent: [],
    });
    const before = new SourceMap(payload(full));
    const after = new SourceMap(payload(own));
    const lines = readFileSync(join(outdir, 'out.mjs'), 'utf8').split('\n');
    let ours = 0;
    let theirs = 0;
    lines.forEach((text, line) => {
      for (let column = 0; column < text.length; column += 7) {
        const was = before.findEntry(line, column) as {
          originalSource?: string;
          originalLine?: number;
          originalColumn?: number;
          name?: string;
        };
        const now = after.findEntry(line, column) as typeof was;
        if (was.originalSource === undefined) continue;
        if (was.originalSource.includes('node_modules/')) {
          theirs++;
          expect(now.originalSource).toBeUndefined();
        } else {
          ours++;
          expect([now.originalSource, now.originalLine, now.originalColumn, now.name]).toEqual([
            was.originalSource,
            was.originalLine,
            was.originalColumn,
            was.name,
          ]);
        }
      }
    });
    expect(ours).toBeGreaterThan(100);
    expect(theirs).toBeGreaterThan(1000);
  });
});
