import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

describe('installLazySourceMaps', () => {
  it('reads no map until a stack trace is written, then maps our frames to the sources', async () => {
    // A bundle as the functions are built: minified, its map beside it, the installation first.
    const dir = mkdtempSync(join(tmpdir(), 'lazy-maps-'));
    const installer = join(root, 'lib/shared/lazy-source-maps.ts');
    writeFileSync(
      join(dir, 'install.ts'),
      `import { installLazySourceMaps } from ${JSON.stringify(installer)};\ninstallLazySourceMaps();\n`,
    );
    writeFileSync(
      join(dir, 'main.ts'),
      [
        "import './install.ts';",
        `import { sourceMapsRead } from ${JSON.stringify(installer)};`,
        `import { describeError } from ${JSON.stringify(join(root, 'lib/shared/describe-error.ts'))};`,
        'const before = sourceMapsRead();',
        'const error = new Error("boom");',
        'const unread = sourceMapsRead();',
        'const stack = String(error.stack);',
        'process.stdout.write(JSON.stringify({ before, unread, after: sourceMapsRead(), stack, described: describeError(error) }));',
      ].join('\n'),
    );
    await build({
      entryPoints: [join(dir, 'main.ts')],
      outfile: join(dir, 'out/main.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      logLevel: 'silent',
    });
    const run = spawnSync(process.execPath, [join(dir, 'out/main.mjs')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { before: number; unread: number; after: number; stack: string };
    expect([result.before, result.unread, result.after]).toEqual([0, 0, 1]);
    const lines = result.stack.split('\n');
    expect(lines[0]).toBe('Error: boom');
    expect(lines[1]).toMatch(/^ {4}at .*main\.ts:5:15\)?$/);
  });

  it('leaves Node its own source maps when they are on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lazy-maps-'));
    const installer = join(root, 'lib/shared/lazy-source-maps.ts');
    writeFileSync(
      join(dir, 'main.ts'),
      `import { installLazySourceMaps, sourceMapsRead } from ${JSON.stringify(installer)};\ninstallLazySourceMaps();\nconst stack = String(new Error('x').stack);\nprocess.stdout.write(JSON.stringify({ read: sourceMapsRead(), stack }));\n`,
    );
    await build({
      entryPoints: [join(dir, 'main.ts')],
      outfile: join(dir, 'out/main.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      sourcemap: true,
      logLevel: 'silent',
    });
    const run = spawnSync(process.execPath, ['--enable-source-maps', join(dir, 'out/main.mjs')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    const result = JSON.parse(run.stdout) as { read: number; stack: string };
    expect(result.read).toBe(0);
    expect(result.stack).toMatch(/main\.ts:3:/);
  });
});
