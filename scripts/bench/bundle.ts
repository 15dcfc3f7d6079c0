// The detect function as deployed: its bundle (the bytes, what loads at start, what only a match
// loads), its deployment package with source maps, and its cold start run with the function's own
// NODE_OPTIONS from serverless.yml.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { syntheticEvents } from '../../lib/tooling/local/synthetic-events.ts';
import { buildFunctions } from '../build.ts';
import { eagerOutputs } from '../build/eager-outputs.ts';
import { runNode } from './child-usage.ts';
import { figure, type Figure } from './stats.ts';
import { zipBytes } from './zip-size.ts';

const root = join(import.meta.dirname, '../..');
const BENCH_DIST = '.bench/dist';

/** The bundle figures. */
export interface BundleFigures {
  /** JavaScript of the detect bundle, entry and every chunk. */
  readonly bundleBytes: number;
  /** Source maps beside it. */
  readonly mapBytes: number;
  /** The detect function's deployment package (its serverless.yml patterns), zipped as deployed. */
  readonly zipBytes: number;
  readonly eagerBytes: number;
  readonly lazyOnly: readonly string[];
  /** Node built-ins the detect bundle imports at start-up. */
  readonly eagerBuiltins: readonly string[];
  readonly nodeOptions: string;
  /** Importing the handler, over bare `node -e 0`, CPU time per paired round. */
  readonly coldStartMs: Figure;
  /** Importing it and one invocation of 100 events no rule wants, over bare Node, CPU time. */
  readonly coldStartNonMatchingMs: Figure;
  /** The same two in wall time, as the parent process saw them. */
  readonly coldStartWallMs: Figure;
  readonly coldStartNonMatchingWallMs: Figure;
}

/** CloudFormation's short tags, read as plain values: only the function's settings are needed here. */
const CFN_TAGS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Join',
  'If',
  'Equals',
  'Not',
  'Select',
  'Split',
  'FindInMap',
  'ImportValue',
  'Base64',
  'GetAZs',
  'Condition',
  'And',
  'Or',
  'Cidr',
].flatMap((name) =>
  (['scalar', 'seq', 'map'] as const).map((kind) => ({
    tag: `!${name}`,
    ...(kind === 'scalar' ? {} : { collection: kind }),
    resolve: (value: unknown) => value,
  })),
);

/** The detect function's settings in serverless.yml: its NODE_OPTIONS and package patterns. */
function deployedDetect(): { nodeOptions: string; patterns: string[] } {
  const config = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), {
    customTags: CFN_TAGS,
    logLevel: 'error',
  }) as {
    functions: { detect: { environment?: Record<string, unknown>; package: { patterns: string[] } } };
  };
  const detect = config.functions.detect;
  const options = detect.environment?.NODE_OPTIONS;
  return { nodeOptions: typeof options === 'string' ? options : '', patterns: detect.package.patterns };
}

/**
 * Files matching a pattern whose only wildcard is `*` in the file name (`dist/detect/*.mjs`), or a
 * whole folder (`dist/detect/rules/**`: a rules folder the package step copies there; none here).
 */
function matching(base: string, pattern: string): string[] {
  if (pattern.endsWith('/**')) {
    const folder = pattern.slice(0, -'/**'.length);
    if (!existsSync(join(base, folder))) return [];
    return readdirSync(join(base, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(base, join(entry.parentPath, entry.name)));
  }
  const directory = dirname(pattern);
  const name = pattern.slice(directory.length + 1);
  if (/[*?[\]{}]/.test(directory) || /[?[\]{}]/.test(name)) throw new Error(`unsupported package pattern ${pattern}`);
  const regex = new RegExp(
    `^${name
      .split('*')
      .map((part) => part.replace(/[.+^$()|\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
  return readdirSync(join(base, directory))
    .filter((file) => regex.test(file))
    .map((file) => `${directory}/${file}`);
}

/**
 * Builds the functions into `.bench/dist` (the same build as `npm run build`) and measures the detect
 * function's bundle, package and cold start over `rounds` paired rounds.
 *
 * @example
 * ```ts
 * const figures = await measureBundle(15);
 * ```
 */
export async function measureBundle(rounds: number): Promise<BundleFigures> {
  const { detect } = await buildFunctions(() => undefined, BENCH_DIST);
  if (!detect) throw new Error('no detect bundle');
  const outputs = Object.keys(detect.outputs);
  const size = (file: string) => statSync(join(root, file)).size;
  const bundleBytes = outputs.filter((file) => file.endsWith('.mjs')).reduce((sum, file) => sum + size(file), 0);
  const mapBytes = outputs.filter((file) => file.endsWith('.map')).reduce((sum, file) => sum + size(file), 0);
  // What loads at start: the entry and the chunks it imports statically, transitively.
  const eagerLoad = eagerOutputs(detect, `${BENCH_DIST}/detect/index.mjs`);
  const eager = eagerLoad.files;
  const eagerBytes = eager.reduce((sum, file) => sum + size(file), 0);
  const eagerInputs = eager.flatMap((file) => Object.keys(detect.outputs[file]?.inputs ?? {}));
  const lazyOnly = ['@aws-sdk/client-dynamodb', '@aws-sdk/client-sns', '@aws-sdk/client-sqs'].filter(
    (pkg) => !eagerInputs.some((input) => input.includes(`node_modules/${pkg}/`)),
  );

  // The package as serverless.yml names it, with dist/ standing for the bench's build.
  const { nodeOptions, patterns } = deployedDetect();
  const benchRoot = join(root, '.bench');
  const packaged = patterns.flatMap((pattern) => matching(benchRoot, pattern));

  const env = {
    PATH: process.env.PATH,
    DEDUP_TABLE_NAME: 'bench',
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:bench',
    DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/bench',
    POWERTOOLS_METRICS_DISABLED: 'true',
    LOG_LEVEL: 'ERROR',
  };
  const deployedEnv = { ...env, NODE_OPTIONS: nodeOptions };
  const entry = join(root, BENCH_DIST, 'detect/index.mjs');
  // Events no rule matches and no baseline learns from (no source country or ASN): the invocation
  // needs no AWS client, so what is measured is the cold start alone.
  const quiet = syntheticEvents(100, { matchingRate: 0, runId: 'cold' }).map((event) => {
    const { session } = event.actor as { session: Record<string, unknown> };
    delete session.ip_address_details;
    return event;
  });
  const nonMatching = JSON.stringify({ Records: [{ messageId: 'm', body: JSON.stringify(quiet) }] });
  const scripts = {
    load: `await import(${JSON.stringify(entry)})`,
    invoke: `const m = await import(${JSON.stringify(entry)}); const r = await m.handler(${nonMatching}, { awsRequestId: 'r', getRemainingTimeInMillis: () => 30000 }); if (r.batchItemFailures.length) process.exit(1);`,
  };
  const bare = () => runNode(['-e', '0'], { env });
  const run = (script: string) => runNode(['--input-type=module', '-e', script], { env: deployedEnv });
  run(scripts.invoke); // warm-up: the file system cache
  const load = { cpu: [] as number[], wall: [] as number[] };
  const invoke = { cpu: [] as number[], wall: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? bare() : undefined;
    const loaded = run(scripts.load);
    const invoked = run(scripts.invoke);
    const base = first ?? bare();
    load.cpu.push(loaded.cpuMs - base.cpuMs);
    load.wall.push(loaded.wallMs - base.wallMs);
    invoke.cpu.push(invoked.cpuMs - base.cpuMs);
    invoke.wall.push(invoked.wallMs - base.wallMs);
  }
  return {
    bundleBytes,
    mapBytes,
    zipBytes: zipBytes(benchRoot, packaged),
    eagerBytes,
    lazyOnly,
    eagerBuiltins: eagerLoad.builtins,
    nodeOptions,
    coldStartMs: figure(load.cpu, 1),
    coldStartNonMatchingMs: figure(invoke.cpu, 1),
    coldStartWallMs: figure(load.wall, 1),
    coldStartNonMatchingWallMs: figure(invoke.wall, 1),
  };
}
