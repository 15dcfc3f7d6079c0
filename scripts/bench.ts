// npm run bench [-- --json] [-- --quick] [-- --corpus FILE] [-- --only path,cli,bundle,pipeline,webhook]
// Performance figures: the per-event path on the shared corpus (against JSON.parse and against
// Panther's pack in Python), the evaluate command (against the same peer as a process), the detect
// function's bundle, package and cold start, and the pipeline and webhook over local emulators. Each
// timing is a median over repeated, interleaved runs, with min and max. See docs/performance.md for what each means.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hideSdkNodeVersionNotice } from '../lib/shared/sdk-node-notice.ts';
import { measureBundle } from './bench/bundle.ts';
import { measureCapacity } from './bench/capacity.ts';
import { measureCli } from './bench/cli.ts';
import { measureEvaluatePeer } from './bench/cli-peer.ts';
import { generateEventsToFile, loadCorpus, pantherArgs } from './bench/corpus.ts';
import { measureOwnRule } from './bench/own-rule.ts';
import { measureEventPath } from './bench/event-path.ts';
import { bundledLinePaths } from './bench/bundled.ts';
import { peerUnavailable, startPeer, type PeerStart } from './bench/peer.ts';
import { measurePipeline } from './bench/pipeline.ts';
import { log, type Figure } from './bench/stats.ts';
import { measureWebhook, WEBHOOK_CONCURRENCY, WEBHOOK_EVENTS_PER_REQUEST } from './bench/webhook.ts';

hideSdkNodeVersionNotice();

const SECTIONS = ['path', 'cli', 'bundle', 'pipeline', 'webhook'] as const;
type Section = (typeof SECTIONS)[number];

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean' },
    quick: { type: 'boolean' },
    corpus: { type: 'string' },
    only: { type: 'string' },
  },
});
const only = new Set((args.only ?? SECTIONS.join(',')).split(',').map((name) => name.trim()));
for (const name of only)
  if (!(SECTIONS as readonly string[]).includes(name))
    throw new Error(`--only: unknown section ${name} (known: ${SECTIONS.join(', ')})`);
const run = (section: Section) => only.has(section);
const quick = args.quick === true;
const SIZES = quick
  ? {
      corpusEvents: 2000,
      pathRounds: 3,
      startRounds: 2,
      streamRounds: 1,
      streamSmall: 1000,
      streamLarge: 5000,
      peerLines: 2000,
      peerRounds: 1,
      coldRounds: 2,
      batchRuns: 2,
      capacityCorpusEvents: 2000,
      hotKeyMatches: 500,
      hotAccountLogins: 200,
      latencyAlerts: 5,
      latencyRuns: 1,
      webhookRequests: 10,
      webhookRuns: 2,
    }
  : {
      corpusEvents: 100_000,
      pathRounds: 9,
      startRounds: 15,
      streamRounds: 3,
      streamSmall: 100_000,
      streamLarge: 1_000_000,
      peerLines: 400_000,
      peerRounds: 5,
      coldRounds: 25,
      batchRuns: 15,
      capacityCorpusEvents: 100_000,
      hotKeyMatches: 10_000,
      hotAccountLogins: 2500,
      latencyAlerts: 50,
      latencyRuns: 5,
      webhookRequests: 200,
      webhookRuns: 5,
    };
const root = join(import.meta.dirname, '..');
const started = Date.now();

const result: Record<string, unknown> = {};
const meta: Record<string, unknown> = {
  node: process.version,
  quick,
  sizes: SIZES,
  load: (await import('node:os')).loadavg().map((v) => Number(v.toFixed(2))),
};

if (run('path')) {
  const corpus = loadCorpus(args.corpus, args.corpus === undefined ? SIZES.corpusEvents : undefined);
  log(`measuring the per-event path on ${corpus.lines.length} events (${corpus.source})...`);
  mkdirSync(join(root, '.bench'), { recursive: true });
  // The peer reads the same events in Panther's shape, which only the generator gives.
  let peerStart: PeerStart = {
    unavailable: "--corpus: the peer needs the same events in Panther's shape, which only gen-events.mjs gives",
  };
  if (corpus.generatorArgs) {
    const reason = peerUnavailable();
    if (reason === undefined) {
      const pantherFile = join(root, '.bench/corpus-panther.jsonl');
      generateEventsToFile(pantherArgs(corpus.generatorArgs), pantherFile);
      log("  starting the peer (Panther's pack in Python, the same events in Panther's shape)...");
      peerStart = await startPeer(pantherFile);
    } else peerStart = { unavailable: reason };
  }
  const peer = 'peer' in peerStart ? peerStart.peer : undefined;
  try {
    const paths = await bundledLinePaths(join(root, '.bench/line-path.mjs'));
    // Matches of the peer's rules only, to compare with the peer's (ours has rules beyond Panther's pack).
    const { path, parsedLines } = paths.detectionPath(corpus.lines, peer?.rules);
    const figures = await measureEventPath(corpus.lines, path, {
      rounds: SIZES.pathRounds,
      parsedLines,
      ...(peer ? { peer, peerPass: 'pack' as const } : {}),
    });
    log("measuring the same path with only the rule the peer's `one` pass runs...");
    const same = paths.sameRulePath(corpus.lines);
    const sameRule = await measureEventPath(corpus.lines, same.path, {
      rounds: SIZES.pathRounds,
      parsedLines: same.parsedLines,
      ...(peer ? { peer, peerPass: 'one' as const } : {}),
    });
    result.parseRatio = figures.parseRatio;
    result.eventsPerSecond = figures.eventsPerSecond;
    if (figures.peer) {
      result.peerEventsPerSecond = figures.peer.eventsPerSecond;
      result.peerRatio = figures.peer.ratio;
    }
    log('measuring a detection written as data against the same detection in TypeScript...');
    const ownRule = measureOwnRule(corpus.lines, SIZES.pathRounds);
    result.ownRuleCostRatio = ownRule.ownRuleCostRatio;
    meta.ownRule = ownRule.meta;
    result.sameRuleParseRatio = sameRule.parseRatio;
    result.sameRuleEventsPerSecond = sameRule.eventsPerSecond;
    if (sameRule.peer) result.sameRulePeerRatio = sameRule.peer.ratio;
    meta.corpus = {
      source: corpus.source,
      events: corpus.lines.length,
      bytesPerEvent: Math.round(corpus.bytes / corpus.lines.length),
      parsedInFull: parsedLines.length,
      parsedInFullSameRule: same.parsedLines.length,
    };
    meta.path = {
      rounds: figures.rounds,
      parseEventsPerSecond: figures.parseEventsPerSecond,
      floor: figures.floor,
      belowFloor: figures.belowFloor,
      sameRuleFloor: sameRule.floor,
      sameRuleBelowFloor: sameRule.belowFloor,
      matches: { pack: figures.matches, sameRule: sameRule.matches },
      peer:
        peer && figures.peer && sameRule.peer
          ? {
              script: 'shared/bench/panther-pack-peer.py serve',
              corpus: `gen-events.mjs ${pantherArgs(corpus.generatorArgs ?? []).join(' ')}`,
              python: peer.python,
              rules: peer.rules,
              // Both non-zero, or the bench stops: a peer matching nothing would be reading the wrong shape.
              matches: { one: sameRule.peer.matches, pack: figures.peer.matches },
              matchesChecked: 'non-zero (the bench fails when the peer matches nothing)',
              packAlertsWithThresholds: peer.packAlerts,
              parseEventsPerSecond: figures.peer.parseEventsPerSecond,
              oneEventsPerSecond: sameRule.peer.eventsPerSecond,
            }
          : { unavailable: 'unavailable' in peerStart ? peerStart.unavailable : '' },
    };
  } finally {
    peer?.close();
  }
}

if (run('cli')) {
  log('measuring the evaluate command...');
  const cli = measureCli({
    startRounds: SIZES.startRounds,
    streamRounds: SIZES.streamRounds,
    small: SIZES.streamSmall,
    large: SIZES.streamLarge,
  });
  result.evaluateOneEventMs = cli.evaluateOneEventMs;
  result.evaluateRssMb = cli.evaluateRssMb;
  result.evaluateMarginalUs = cli.evaluateMarginalUs;
  result.evaluateSameRuleRssMb = cli.evaluateSameRuleRssMb;
  result.evaluateSameRuleMarginalUs = cli.evaluateSameRuleMarginalUs;
  log("measuring evaluate against the peer's stream (Panther's pack in Python)...");
  const peer = measureEvaluatePeer({ lines: SIZES.peerLines, rounds: SIZES.peerRounds });
  if ('unavailable' in peer) meta.evaluate = { oneEventCpuMs: cli.evaluateOneEventCpuMs, lines: cli.lines, peer };
  else {
    result.evaluatePeerRatio = peer.evaluatePeerRatio;
    result.evaluateSameRulePeerRatio = peer.evaluateSameRulePeerRatio;
    meta.evaluate = {
      oneEventCpuMs: cli.evaluateOneEventCpuMs,
      lines: cli.lines,
      peer: {
        script: 'shared/bench/panther-pack-peer.py stream',
        lines: peer.lines,
        rounds: peer.rounds,
        // Alert lines differ by design: the two sides' alert semantics are not the same.
        whole: { ours: peer.ours, peer: peer.peer },
        sameRule: { ours: peer.sameRuleOurs, peer: peer.sameRulePeer },
      },
    };
  }
}

if (run('bundle')) {
  log('building and measuring the detect bundle...');
  const bundle = await measureBundle(SIZES.coldRounds);
  result.bundleBytes = bundle.bundleBytes;
  result.zipBytes = bundle.zipBytes;
  result.coldStartMs = bundle.coldStartMs;
  result.coldStartNonMatchingMs = bundle.coldStartNonMatchingMs;
  meta.bundle = {
    mapBytes: bundle.mapBytes,
    eagerBundleBytes: bundle.eagerBytes,
    loadedOnlyOnMatch: bundle.lazyOnly,
    builtinsLoadedAtStart: bundle.eagerBuiltins,
    nodeOptions: bundle.nodeOptions,
    coldStartWallMs: bundle.coldStartWallMs,
    coldStartNonMatchingWallMs: bundle.coldStartNonMatchingWallMs,
  };
}

if (run('pipeline')) {
  log('measuring over the emulators...');
  const pipeline = await measurePipeline(SIZES);
  result.batchMs = pipeline.batchMs;
  result.alertLatencyP50Ms = pipeline.alertLatencyP50Ms;
  result.alertLatencyP95Ms = pipeline.alertLatencyP95Ms;
  const corpus = loadCorpus(args.corpus, args.corpus === undefined ? SIZES.corpusEvents : undefined);
  log(
    `measuring what DynamoDB bills on ${Math.min(corpus.lines.length, SIZES.capacityCorpusEvents)} corpus events, one hot key and one hot account...`,
  );
  const capacity = await measureCapacity(corpus.lines, SIZES);
  result.dynamodbRequestsPerEvent = capacity.dynamodbRequestsPerEvent;
  result.dynamodbWcuPerEvent = capacity.dynamodbWcuPerEvent;
  result.dynamodbRcuPerEvent = capacity.dynamodbRcuPerEvent;
  result.hotKeyWcuPerMatch = capacity.hotKeyWcuPerMatch;
  result.correlationWcuPerStep = capacity.correlationWcuPerStep;
  result.recordsFailedUnderContention = capacity.recordsFailedUnderContention;
  result.corpusBatchMs = capacity.corpusBatchMs;
  meta.capacity = { source: corpus.source, ...capacity.meta };
}

if (run('webhook')) {
  log('measuring the webhook over HTTP...');
  const webhook = await measureWebhook(SIZES);
  result.webhookEventsPerSecond = webhook.eventsPerSecond;
  result.webhookLatencyP50Ms = webhook.p50Ms;
  result.webhookLatencyP95Ms = webhook.p95Ms;
  meta.webhook = { eventsPerRequest: WEBHOOK_EVENTS_PER_REQUEST, concurrency: WEBHOOK_CONCURRENCY };
}
meta.seconds = Math.round((Date.now() - started) / 1000);
result.meta = meta;

if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  const rows: Array<[string, string, string]> = [
    ['parseRatio', 'x', 'goal <= 1.15'],
    ['eventsPerSecond', 'events/s', 'goal >= 3 x peerEventsPerSecond'],
    ['peerEventsPerSecond', 'events/s', "Panther's pack in Python, the same events in Panther's shape"],
    ['peerRatio', 'x', "our events/s over the peer's, per round"],
    ['sameRuleParseRatio', 'x', 'the same, only the API-key rule'],
    ['sameRuleEventsPerSecond', 'events/s', 'the same, only the API-key rule'],
    ['sameRulePeerRatio', 'x', 'the same, only the API-key rule on both sides'],
    ['ownRuleCostRatio', 'x', 'a Panther simple detection over the same rule in TypeScript, per event; goal <= 2'],
    ['evaluateOneEventMs', 'ms', 'over bare node; goal <= 100'],
    ['evaluateRssMb', 'MB', `at ${SIZES.streamLarge} lines; goal <= 200`],
    ['evaluateMarginalUs', 'us/event', 'goal <= 2.5'],
    ['evaluateSameRuleRssMb', 'MB', 'the same, only the API-key rule'],
    ['evaluateSameRuleMarginalUs', 'us/event', 'the same, only the API-key rule'],
    ['evaluatePeerRatio', 'x', `the peer's CPU over evaluate's, ${SIZES.peerLines} lines; > 1: we are faster`],
    ['evaluateSameRulePeerRatio', 'x', 'the same, only the API-key rule on both sides'],
    ['bundleBytes', 'bytes', ''],
    ['zipBytes', 'bytes', 'deployed package, maps included; goal <= 400 KB'],
    ['coldStartMs', 'ms', 'CPU over bare node'],
    ['coldStartNonMatchingMs', 'ms', 'CPU over bare node; goal <= 25'],
    ['batchMs', 'ms', 'synthetic events, 1% matching, no logins'],
    ['corpusBatchMs', 'ms', 'the shared corpus, as the poller packs it'],
    ['dynamodbRequestsPerEvent', 'requests', 'shared corpus; goal <= 0.1'],
    ['dynamodbWcuPerEvent', 'WCU', 'shared corpus; goal <= 0.2'],
    ['dynamodbRcuPerEvent', 'RCU', 'shared corpus'],
    ['hotKeyWcuPerMatch', 'WCU', `one dedup key, ${SIZES.hotKeyMatches} matches, 8 invocations at once; goal <= 0.1`],
    ['correlationWcuPerStep', 'WCU', `one account, ${SIZES.hotAccountLogins} logins, 4 invocations at once; goal <= 2`],
    ['recordsFailedUnderContention', 'records', 'of the hot key and hot account; goal 0'],
    ['alertLatencyP50Ms', 'ms', ''],
    ['alertLatencyP95Ms', 'ms', ''],
    [
      'webhookEventsPerSecond',
      'events/s',
      `(${WEBHOOK_EVENTS_PER_REQUEST} events a request, ${WEBHOOK_CONCURRENCY} in flight)`,
    ],
    ['webhookLatencyP50Ms', 'ms', ''],
    ['webhookLatencyP95Ms', 'ms', ''],
  ];
  const lines = [
    `openai-audit-alerts benchmark (${process.version}${quick ? ', quick' : ''}; load ${(meta.load as number[]).join(' ')})`,
  ];
  for (const [name, unit, note] of rows) {
    const value = result[name] as Figure | number | undefined;
    if (value === undefined) continue;
    const shown =
      typeof value === 'number'
        ? `${String(value).padStart(12)} ${unit.padEnd(10)}`
        : `${String(value.median).padStart(12)} ${unit.padEnd(10)}(min ${value.min}, max ${value.max})`;
    lines.push(`${name.padEnd(24)}${shown}${note ? `  ${note}` : ''}`);
  }
  lines.push(`meta: ${JSON.stringify(meta)}`, '');
  process.stdout.write(lines.join('\n'));
}
