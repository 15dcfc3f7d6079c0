import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Source maps read so far, by generated file (`undefined`: none beside it). */
const maps = new Map<string, SourceMap | undefined>();

function sourceMapOf(fileName: string): SourceMap | undefined {
  // Only files can have a map beside them (not node:internal/..., not eval code).
  if (!fileName.startsWith('file:') && !fileName.startsWith('/')) return undefined;
  if (maps.has(fileName)) return maps.get(fileName);
  let map: SourceMap | undefined;
  try {
    const path = fileName.startsWith('file:') ? fileURLToPath(fileName) : fileName;
    map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    map = undefined;
  }
  maps.set(fileName, map);
  return map;
}

/** Where a frame is in the sources: `lib/...ts:line:column`, or `undefined` when no map says. */
function originalPosition(site: NodeJS.CallSite): string | undefined {
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!file || line === null || column === null) return undefined;
  // findEntry gives {} where nothing is mapped, whatever its declared type says.
  const found = sourceMapOf(file)?.findEntry(line - 1, column - 1);
  const entry: { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined = found;
  if (entry?.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined)
    return undefined;
  // esbuild names sources relative to the map: ../../lib/... is lib/... of the project.
  const source = entry.originalSource.replace(/^(?:\.\.\/)+/, '');
  return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

function frame(site: NodeJS.CallSite): string {
  const position = originalPosition(site);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- V8's CallSite writes itself as V8 writes frames
  if (position === undefined) return String(site);
  const name = site.getFunctionName() ?? site.getMethodName();
  const prefix = `${site.isAsync() ? 'async ' : ''}${site.isConstructor() ? 'new ' : ''}`;
  return name ? `${prefix}${name} (${position})` : `${prefix}${position}`;
}

function header(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return 'Error';
  }
}

/**
 * Source maps at no cost until a stack trace is written: instead of Node's
 * `--enable-source-maps` (which reads and parses every map when its module loads, milliseconds of
 * every cold start), stack traces are mapped when V8 first formats one, reading the `.map` beside
 * each bundle file then, once. Frames our maps cover show `lib/...ts:line:column`; others are
 * written as V8 writes them. Does nothing when stack traces are already formatted by someone else
 * (an `Error.prepareStackTrace` other than Node's default, or Node's own source maps on).
 *
 * @example
 * ```ts
 * installLazySourceMaps(); // first, before the function's modules load
 * ```
 */
export function installLazySourceMaps(): void {
  // Node 20 and later put their own default in Error.prepareStackTrace: replace only that.
  const current: unknown = Reflect.get(Error, 'prepareStackTrace');
  if ((typeof current === 'function' && current.name !== 'ErrorPrepareStackTrace') || process.sourceMapsEnabled) return;
  Error.prepareStackTrace = (error, sites) =>
    `${header(error)}${sites.map((site) => `\n    at ${frame(site)}`).join('')}`;
}

/**
 * How many bundle files' maps have been read and used: none until a stack trace is written.
 *
 * @example
 * ```ts
 * sourceMapsRead(); // 0 after a cold start without an error
 * ```
 */
export function sourceMapsRead(): number {
  let read = 0;
  for (const map of maps.values()) if (map !== undefined) read++;
  return read;
}
