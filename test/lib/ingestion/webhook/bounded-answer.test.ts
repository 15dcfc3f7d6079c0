// The webhook's answer to a signed body of millions of items that are not audit events is bounded
// (the first rejected items and a count), and so is the memory that builds it: the handling runs
// in a Node process whose heap is 64 MB (the function has 512 MB; listing every rejected item of
// this body took about 800 MB and answered 186 MB, past Lambda's 6 MB).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the webhook answer to 2.4 million lines that are not events', () => {
  it('lists the first 100, counts them all, and is built within a 64 MB heap', async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'bounded-answer-')), 'main.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'bounded-answer.main.ts')],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
    });
    const run = spawnSync(process.execPath, ['--max-old-space-size=64', outfile], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { bytes, stored, ...answer } = JSON.parse(run.stdout) as { bytes: number; stored: number };
    expect(answer).toEqual({ status: 202, accepted: 1, listed: 100, rejectedCount: 2_400_000 });
    expect(bytes).toBeLessThan(10_000);
    // What a redelivery of the webhook-id is answered is this answer, whole.
    expect(stored).toBe(bytes);
  });
});
