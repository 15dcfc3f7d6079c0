import { describe, expect, it } from 'vitest';
import { runBounded } from '../../../../lib/pipeline/detect/concurrency.ts';
import { lazy } from '../../../../lib/shared/lazy.ts';

describe('runBounded', () => {
  it('never runs more than the limit at once and runs everything', async () => {
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    const tasks = Array.from({ length: 20 }, (_, i) => async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, i % 3));
      active--;
      done.push(i);
    });
    await runBounded(tasks, 4);
    expect(peak).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('lets every task settle before rethrowing the first failure', async () => {
    const done: number[] = [];
    const tasks = [
      () => Promise.reject(new Error('first')),
      () => Promise.resolve(void done.push(1)),
      () => Promise.resolve(void done.push(2)),
    ];
    await expect(runBounded(tasks, 1)).rejects.toThrow('first');
    expect(done).toEqual([1, 2]);
  });

  it('handles no tasks', async () => {
    await expect(runBounded([], 8)).resolves.toBeUndefined();
  });
});

describe('lazy', () => {
  it('builds once, on first use', async () => {
    let builds = 0;
    const value = lazy(() => Promise.resolve(++builds));
    expect(builds).toBe(0);
    expect(await Promise.all([value(), value()])).toEqual([1, 1]);
    expect(builds).toBe(1);
  });

  it('tries again after a failed build', async () => {
    let attempts = 0;
    const value = lazy(() => (++attempts === 1 ? Promise.reject(new Error('no')) : Promise.resolve('ok')));
    await expect(value()).rejects.toThrow('no');
    expect(await value()).toBe('ok');
  });
});
