// Bundles each Lambda function with esbuild: ESM for Node 22 on arm64, minified, with source maps,
// AWS SDK and Powertools included (pinned by package-lock, not by the Lambda runtime). Dynamic
// imports become separate chunks, so DynamoDB and SNS code is only loaded when a match needs it.
//   npx tsx scripts/build.ts            -> dist/<function>/index.mjs (+ chunks)
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';

const root = join(import.meta.dirname, '..');
const FUNCTIONS = { detect: 'functions/detect.ts', poll: 'functions/poll-audit-logs.ts', webhook: 'functions/webhook.ts', deliver: 'functions/deliver.ts' } as const;

/**
 * Builds every function into `<outRoot>/<name>/` (default `dist`, what serverless.yml packages);
 * returns esbuild's metafile per function, with paths relative to the project root.
 */
export async function buildFunctions(
  log: (line: string) => void = (line) => process.stdout.write(line),
  outRoot = 'dist',
): Promise<Record<string, Metafile>> {
  await rm(join(root, outRoot), { recursive: true, force: true });
  const metafiles: Record<string, Metafile> = {};
  for (const [name, entry] of Object.entries(FUNCTIONS)) {
    const result = await build({
      absWorkingDir: root,
      entryPoints: { index: entry },
      outdir: `${outRoot}/${name}`,
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
    await writeFile(join(root, `${outRoot}/${name}/meta.json`), JSON.stringify(result.metafile));
    metafiles[name] = result.metafile;
    const bytes = Object.entries(result.metafile.outputs)
      .filter(([file]) => file.endsWith('.mjs'))
      .reduce((sum, [, output]) => sum + output.bytes, 0);
    log(`built ${outRoot}/${name}: ${(bytes / 1024).toFixed(0)} KiB of JavaScript\n`);
  }
  return metafiles;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await buildFunctions();
