#!/usr/bin/env node
// The openai-audit-alerts command. No build step: the first run (and the first after a change to
// lib/ or rules/) bundles the TypeScript CLI with esbuild into .cache/cli/ (a fraction of a second,
// once); every other run imports that bundle, which starts in a few tens of milliseconds where
// running the TypeScript through tsx takes half a second. Dependencies stay in node_modules,
// imported as usual. Where the bundle cannot be made (a read-only install, no esbuild, a detection
// of rules/ that does not parse), or with OPENAI_AUDIT_ALERTS_TSX=1, the TypeScript runs through
// tsx as before.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(root, 'lib/tooling/cli/entry.ts');
const CACHE = join(root, '.cache/cli');

/** A fingerprint of every source the bundle is made of: names, sizes and modification times. */
function sourceFingerprint() {
  const hash = createHash('sha256')
    .update(root)
    .update(readFileSync(join(root, 'package.json')));
  for (const [dir, file] of [
    ['lib', /\.ts$/],
    ['rules', /\.ya?ml$/i],
  ])
    for (const name of readdirSync(join(root, dir), { recursive: true }).sort()) {
      if (!file.test(name)) continue;
      const stats = statSync(join(root, dir, name));
      hash.update(`${dir}/${name}\0${stats.size}\0${stats.mtimeMs}\0`);
    }
  return hash.digest('hex').slice(0, 16);
}

/** Replaces import.meta.url and import.meta.dirname with each source file's own, as tsx runs them. */
const sourceLocations = {
  name: 'source-locations',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8')
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents: text, loader: 'ts' };
    });
  },
};

/** The bundle's entry for the sources as they are now, built if needed; undefined if it cannot be. */
async function bundledEntry() {
  const key = sourceFingerprint();
  const entry = join(CACHE, key, 'entry.mjs');
  if (existsSync(entry)) return entry;
  const { build } = await import('esbuild');
  const building = join(CACHE, `${key}.${process.pid}.tmp`);
  mkdirSync(building, { recursive: true });
  try {
    await buildInto(build, building);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
  try {
    renameSync(building, join(CACHE, key));
  } catch {
    // Another run built it first: use theirs.
    rmSync(building, { recursive: true, force: true });
  }
  // Bundles of older sources are of no further use.
  for (const old of readdirSync(CACHE)) if (old !== key) rmSync(join(CACHE, old), { recursive: true, force: true });
  return entry;
}

/**
 * Bundles the CLI into `building`, with the built-in detections written as data (rules/) parsed
 * now, by the build's own plugin, so a run parses no YAML for them (about 20 ms of every start).
 */
async function buildInto(build, building) {
  const options = {
    absWorkingDir: root,
    outdir: building,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  };
  // The plugin, bundled on its own (its YAML parser stays in node_modules), registered before
  // sourceLocations so that it answers for the one module it replaces.
  const pluginEntry = { plugin: 'scripts/build/built-in-detections-as-data.ts' };
  await build({ ...options, entryPoints: pluginEntry, plugins: [sourceLocations] });
  const { builtInDetectionsAsData } = await import(pathToFileURL(join(building, 'plugin.mjs')).href);
  rmSync(join(building, 'plugin.mjs'));
  const cliEntry = { entry: relative(root, ENTRY) };
  await build({
    ...options,
    entryPoints: cliEntry,
    splitting: true,
    plugins: [builtInDetectionsAsData(), sourceLocations],
  });
}

let entry;
if (process.env.OPENAI_AUDIT_ALERTS_TSX !== '1') {
  try {
    entry = await bundledEntry();
  } catch {
    entry = undefined;
  }
}
if (entry === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(ENTRY).href);
} else {
  await import(pathToFileURL(entry).href);
}
