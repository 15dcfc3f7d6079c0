// Bundles each Lambda function with esbuild: ESM for Node 22 on arm64, minified, with source maps,
// AWS SDK and Powertools included (pinned by package-lock, not by the Lambda runtime). Dynamic
// imports become separate chunks, so DynamoDB and SNS code is only loaded when a match needs it.
//   npx tsx scripts/build.ts            -> dist/<function>/index.mjs (+ chunks)
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const FUNCTIONS = { detect: 'functions/detect.ts' } as const;

await rm(join(root, 'dist'), { recursive: true, force: true });
for (const [name, entry] of Object.entries(FUNCTIONS)) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { index: entry },
    outdir: `dist/${name}`,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  await writeFile(join(root, `dist/${name}/meta.json`), JSON.stringify(result.metafile));
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.mjs'))
    .reduce((sum, [, output]) => sum + output.bytes, 0);
  process.stdout.write(`built dist/${name}: ${(bytes / 1024).toFixed(0)} KiB of JavaScript\n`);
}
