// Bundles each Lambda function with esbuild: ESM for Node 22 on arm64, minified, with source maps
// (no source text embedded: the maps locate frames, the sources are in git), AWS SDK and Powertools
// included (pinned by package-lock, not by the Lambda runtime). Dynamic imports become separate
// chunks, so DynamoDB and SNS code is only loaded when a match needs it. The detect function maps
// stack traces itself, only when one is written (lib/shared/lazy-source-maps.ts), instead of Node's
// --enable-source-maps, which reads the maps at every cold start (about 10 ms more CPU per cold
// start of the detect function, measured).
//   npx tsx scripts/build.ts            -> dist/<function>/index.mjs (+ chunks, maps)
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { builtInDetectionsAsData } from './build/built-in-detections-as-data.ts';

const root = join(import.meta.dirname, '..');

/** The functions: entry, and whether stack traces are source-mapped lazily (see above). */
const FUNCTIONS = {
  detect: { entry: 'functions/detect.ts', lazySourceMaps: true },
  poll: { entry: 'functions/poll-audit-logs.ts', lazySourceMaps: false },
  webhook: { entry: 'functions/webhook.ts', lazySourceMaps: false },
  deliver: { entry: 'functions/deliver.ts', lazySourceMaps: false },
} as const;

const ENTRY_NAMESPACE = 'function-entry';

/**
 * An entry that installs the lazy source maps before anything of the function loads (ES modules
 * run their imports first, so the installation is a module of its own, imported first).
 */
function lazySourceMapsEntry(entry: string): Plugin {
  const installer = join(root, 'lib/shared/lazy-source-maps.ts');
  return {
    name: 'lazy-source-maps-entry',
    setup(builder) {
      builder.onResolve({ filter: /^(entry|install-source-maps)$/ }, (args) => ({
        path: args.path,
        namespace: ENTRY_NAMESPACE,
      }));
      builder.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, (args) => ({
        contents:
          args.path === 'entry'
            ? `import 'install-source-maps';\nexport * from ${JSON.stringify(join(root, entry))};\n`
            : `import { installLazySourceMaps } from ${JSON.stringify(installer)};\ninstallLazySourceMaps();\n`,
        resolveDir: root,
        loader: 'ts',
      }));
    },
  };
}

/**
 * Builds every function into `<outRoot>/<name>/` (default `dist`, what serverless.yml packages);
 * returns esbuild's metafile per function, with paths relative to the project root.
 *
 * @example
 * ```ts
 * const { detect } = await buildFunctions(() => undefined, '.bench/dist');
 * ```
 */
export async function buildFunctions(
  log: (line: string) => void = (line) => process.stdout.write(line),
  outRoot = 'dist',
): Promise<Record<string, Metafile>> {
  await rm(join(root, outRoot), { recursive: true, force: true });
  const metafiles: Record<string, Metafile> = {};
  for (const [name, { entry, lazySourceMaps }] of Object.entries(FUNCTIONS)) {
    const result = await build({
      absWorkingDir: root,
      entryPoints: { index: lazySourceMaps ? 'entry' : entry },
      plugins: [builtInDetectionsAsData(), ...(lazySourceMaps ? [lazySourceMapsEntry(entry)] : [])],
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
      sourcesContent: false,
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
      // Some bundled CommonJS dependencies call require() for Node built-ins.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
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
