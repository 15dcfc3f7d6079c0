// Smoke test of the benchmark with tiny sizes: it runs, and prints every figure the issues fix.
// It asserts no timing (the figures live in docs/performance.md), only that they are measured.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

function bench(args: string[]) {
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/bench.ts', '--json', '--quick', ...args],
    {
      cwd: root,
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

describe('npm run bench -- --json --quick', () => {
  it('prints one JSON object with every figure, and proves the AWS clients load only on a match', () => {
    const figures = bench([]);
    for (const name of [
      'parseRatio',
      'eventsPerSecond',
      'evaluateOneEventMs',
      'evaluateRssMb',
      'evaluateMarginalUs',
      'evaluateSameRuleRssMb',
      'evaluateSameRuleMarginalUs',
      'coldStartMs',
      'coldStartNonMatchingMs',
      'batchMs',
      'alertLatencyP50Ms',
      'alertLatencyP95Ms',
      'webhookEventsPerSecond',
      'webhookLatencyP50Ms',
      'webhookLatencyP95Ms',
    ]) {
      expectFigure(figures, name);
    }
    expect(expectFigure(figures, 'parseRatio').median).toBeGreaterThan(0);
    expect(expectFigure(figures, 'eventsPerSecond').median).toBeGreaterThan(0);
    expect(expectFigure(figures, 'evaluateRssMb').median).toBeGreaterThan(0);
    expect(expectFigure(figures, 'webhookEventsPerSecond').median).toBeGreaterThan(0);
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
  });
});
