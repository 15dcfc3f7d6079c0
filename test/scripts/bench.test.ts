// Smoke test of the benchmark with tiny sizes: it runs, and prints every figure the issues fix.
// It asserts no timing (the figures live in docs/performance.md), only that they are measured.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

// The peer (Panther's pack in Python) runs where python3, PyYAML and the shared files are.
const peerAvailable =
  existsSync(join(root, '../shared/bench/panther-pack-peer.py')) &&
  spawnSync('python3', ['-c', 'import yaml']).status === 0;

function bench(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/bench.ts', '--json', '--quick', ...args],
    {
      cwd: root,
      env,
      encoding: 'utf8',
    },
  );
  expect(result.status).toBe(0);
  const lines = result.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
}

function expectFigure(figures: Record<string, unknown>, name: string): { median: number; min: number; max: number } {
  const figure = figures[name] as { median: number; min: number; max: number };
  expect(Object.keys(figure).sort(), name).toEqual(['max', 'median', 'min']);
  expect([figure.median, figure.min, figure.max].every(Number.isFinite), name).toBe(true);
  expect(figure.min, name).toBeLessThanOrEqual(figure.median);
  expect(figure.median, name).toBeLessThanOrEqual(figure.max);
  return figure;
}

/** The peer's figures of a quick run over the shared corpus (Panther's pack, the same events in its shape). */
function expectPeer(figures: Record<string, unknown>): void {
  for (const name of [
    'peerEventsPerSecond',
    'peerRatio',
    'sameRulePeerRatio',
    'evaluatePeerRatio',
    'evaluateSameRulePeerRatio',
  ])
    expect(expectFigure(figures, name).median, name).toBeGreaterThan(0);
  const meta = figures.meta as {
    path: {
      matches: { pack: number; sameRule: number };
      peer: { corpus: string; matches: { one: number; pack: number } };
    };
    evaluate: {
      peer: Record<'whole' | 'sameRule', Record<'ours' | 'peer', { alertLines: number; maxRssMb: unknown }>>;
    };
  };
  expect(meta.path.peer.corpus).toBe('gen-events.mjs 2000 10 panther');
  // The peer matches (the bench stops otherwise), and on the shared corpus as many events as we do.
  expect(meta.path.peer.matches.one).toBeGreaterThan(0);
  expect(meta.path.peer.matches).toEqual({ one: meta.path.matches.sameRule, pack: meta.path.matches.pack });
  for (const rules of ['whole', 'sameRule'] as const)
    for (const side of ['ours', 'peer'] as const) {
      expect(meta.evaluate.peer[rules][side].alertLines, `${rules} ${side}`).toBeGreaterThan(0);
      expectFigure(meta.evaluate.peer[rules][side], 'maxRssMb');
    }
}

describe('npm run bench -- --json --quick', () => {
  it("prints one JSON object with every figure (the peer's where it runs), and proves the AWS clients load only on a match", () => {
    const figures = bench([]);
    for (const name of [
      'parseRatio',
      'eventsPerSecond',
      'ownRuleCostRatio',
      'evaluateOneEventMs',
      'evaluateRssMb',
      'evaluateMarginalUs',
      'evaluateSameRuleRssMb',
      'evaluateSameRuleMarginalUs',
      'coldStartMs',
      'coldStartNonMatchingMs',
      'batchMs',
      'corpusBatchMs',
      'alertLatencyP50Ms',
      'alertLatencyP95Ms',
      'webhookEventsPerSecond',
      'webhookLatencyP50Ms',
      'webhookLatencyP95Ms',
    ]) {
      expectFigure(figures, name);
    }
    expect(expectFigure(figures, 'parseRatio').median).toBeGreaterThan(0);
    // The detection written as data and its TypeScript twin agree on the corpus (the bench stops otherwise).
    const ownRule = (figures.meta as { ownRule: { matches: { data: number; typescript: number } } }).ownRule;
    expect(ownRule.matches.data).toBeGreaterThan(0);
    expect(ownRule.matches.data).toBe(ownRule.matches.typescript);
    expect(expectFigure(figures, 'eventsPerSecond').median).toBeGreaterThan(0);
    expect(expectFigure(figures, 'evaluateRssMb').median).toBeGreaterThan(0);
    expect(expectFigure(figures, 'webhookEventsPerSecond').median).toBeGreaterThan(0);
    // What DynamoDB bills, read from its consumed capacity: every event of the corpus costs something.
    for (const name of [
      'dynamodbRequestsPerEvent',
      'dynamodbWcuPerEvent',
      'dynamodbRcuPerEvent',
      'hotKeyWcuPerMatch',
      'correlationWcuPerStep',
    ])
      expect(figures[name], name).toBeGreaterThan(0);
    expect(figures.recordsFailedUnderContention).toEqual(expect.any(Number));
    const capacity = (figures.meta as { capacity: { corpus: { events: number; requests: number } } }).capacity;
    expect(capacity.corpus.events).toBe(2000);
    expect(figures.dynamodbRequestsPerEvent).toBeCloseTo(capacity.corpus.requests / capacity.corpus.events, 3);
    expect(figures.bundleBytes).toEqual(expect.any(Number));
    expect(figures.zipBytes).toEqual(expect.any(Number));
    const meta = figures.meta as {
      corpus: { source: string; events: number };
      bundle: {
        eagerBundleBytes: number;
        mapBytes: number;
        loadedOnlyOnMatch: string[];
        builtinsLoadedAtStart: string[];
        nodeOptions: string;
      };
    };
    // Without --corpus, the shared corpus is generated at bench time.
    expect(meta.corpus).toMatchObject({ source: 'gen-events.mjs 2000 10 raw', events: 2000 });
    expect(meta.bundle.eagerBundleBytes).toBeLessThan(figures.bundleBytes as number);
    expect(meta.bundle.mapBytes).toBeGreaterThan(0);
    expect(meta.bundle.loadedOnlyOnMatch).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-sns',
      '@aws-sdk/client-sqs',
    ]);
    // node:module for the bundle's require().
    expect(meta.bundle.builtinsLoadedAtStart).toContain('node:module');
    if (peerAvailable) expectPeer(figures);
    else expect(figures).not.toHaveProperty('evaluatePeerRatio');
  });

  it('skips the peer, saying why, without python3', () => {
    const figures = bench(['--only', 'path'], { ...process.env, PATH: join(root, 'no-such-dir') });
    expect(figures).not.toHaveProperty('peerRatio');
    expect(figures).not.toHaveProperty('sameRulePeerRatio');
    expect((figures.meta as { path: { peer: unknown } }).path.peer).toEqual({
      unavailable: 'python3 is not installed',
    });
  });

  it('measures the per-event path on the corpus it is given, one event per line', () => {
    const corpus = join(root, 'examples/sample-events.jsonl');
    const figures = bench(['--corpus', corpus, '--only', 'path']);
    expectFigure(figures, 'parseRatio');
    expectFigure(figures, 'eventsPerSecond');
    expect(figures).not.toHaveProperty('batchMs');
    const meta = figures.meta as { corpus: { source: string; events: number; parsedInFull: number } };
    expect(meta.corpus.source).toBe(corpus);
    // One event per non-empty line of the file, every one parsed in full.
    const lines = readFileSync(corpus, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '').length;
    expect([meta.corpus.events, meta.corpus.parsedInFull]).toEqual([lines, lines]);
    // The peer needs the same events in Panther's shape, which only the generator gives.
    expect(figures).not.toHaveProperty('peerRatio');
    expect((figures.meta as { path: { peer: { unavailable: string } } }).path.peer.unavailable).toMatch(/--corpus/);
  });
});
