// Smoke test of the benchmark with tiny sizes: it runs, and prints every field the issue fixes.
// It asserts no timing (the figures live in docs/performance.md), only that they are measured.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

describe('npm run bench -- --json --quick', () => {
  it('prints one JSON object with every figure, and proves the AWS clients load only on a match', () => {
    const result = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/bench.ts', '--json', '--quick'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const figures = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    for (const name of ['parseRatio', 'eventsPerSecond', 'batchMs', 'alertLatencyP50Ms', 'alertLatencyP95Ms', 'webhookEventsPerSecond', 'webhookLatencyP50Ms', 'webhookLatencyP95Ms', 'coldStartMs', 'coldStartNonMatchingMs']) {
      const figure = figures[name] as { median: number; min: number; max: number };
      expect(Object.keys(figure).sort(), name).toEqual(['max', 'median', 'min']);
      expect([figure.median, figure.min, figure.max].every(Number.isFinite), name).toBe(true);
      expect(figure.min, name).toBeLessThanOrEqual(figure.median);
      expect(figure.median, name).toBeLessThanOrEqual(figure.max);
    }
    expect((figures.parseRatio as { median: number }).median).toBeGreaterThan(0);
    expect((figures.webhookEventsPerSecond as { median: number }).median).toBeGreaterThan(0);
    expect(figures.bundleBytes).toEqual(expect.any(Number));
    const meta = figures.meta as { eagerBundleBytes: number; loadedOnlyOnMatch: string[] };
    expect(meta.eagerBundleBytes).toBeLessThan(figures.bundleBytes as number);
    expect(meta.loadedOnlyOnMatch).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-sns', '@aws-sdk/client-sqs']);
  });
});
