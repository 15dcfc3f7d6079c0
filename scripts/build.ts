// Bundles each Lambda function with esbuild: ESM for Node 22 on arm64, minified, with source maps of
// our own code (the mappings into node_modules are dropped, and no source text is embedded: the
// maps locate frames, the sources are in git), AWS SDK and Powertools included (pinned by
// package-lock, not by the Lambda runtime). Dynamic imports become separate chunks, so DynamoDB and
// SNS code is only loaded when a match needs it. The detect function maps stack traces itself, only
// when one is written (lib/shared/lazy-source-maps.ts), instead of Node's --enable-source-maps,
// which reads every map at every cold start. Powertools' Logger gets node:crypto on first use
// (scripts/build/logger-crypto.ts), not at start-up.
//   npx tsx scripts/build.ts            -> dist/<function>/index.mjs (+ chunks, maps)
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { keepSources, type SourceMapV3 } from './build/own-sources.ts';

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
 * Resolves the `node:crypto` that Powertools' Logger imports to `scripts/build/logger-crypto.ts`,
 * which loads it on first use: the Logger needs it only to sample debug logs, and loading it at
 * start-up was about 4 ms of every cold start. Any other importer gets the real module.
 */
function deferredLoggerCrypto(): Plugin {
  const replacement = join(root, 'scripts/build/logger-crypto.ts');
  return {
    name: 'deferred-logger-crypto',
    setup(builder) {
      builder.onResolve({ filter: /^node:crypto$/ }, (args) =>
        /[\\/]node_modules[\\/]@aws-lambda-powertools[\\/]logger[\\/]/.test(args.importer)
          ? { path: replacement }
          : undefined,
      );
    },
  };
}

/**
 * Rewrites every source map of a build with the mappings of our own code only: not node_modules,
 * nor the two generated lines of the entry wrapper above (no file holds them, and tools that read
 * the map, vitest among them, warn of a missing source).
 */
async function ownSourceMaps(metafile: Metafile): Promise<void> {
  const own = (source: string): boolean =>
    !source.includes('node_modules/') && !source.startsWith(`${ENTRY_NAMESPACE}:`);
  for (const file of Object.keys(metafile.outputs).filter((name) => name.endsWith('.map'))) {
    const map = JSON.parse(await readFile(join(root, file), 'utf8')) as SourceMapV3;
    await writeFile(join(root, file), JSON.stringify(keepSources(map, own)));
  }
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
      plugins: lazySourceMaps ? [lazySourceMapsEntry(entry), deferredLoggerCrypto()] : [deferredLoggerCrypto()],
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
    await ownSourceMaps(result.metafile);
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
