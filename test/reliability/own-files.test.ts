// Every file that OWN_FILES names exists, and every scenario it names is a scenario: a renamed
// file or scenario would otherwise silently run nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarios } from './harness/scenarios.ts';
import { OWN_FILES } from './shortened-run.ts';

describe('the split of the shortened reliability run', () => {
  it('names existing files and scenarios, each scenario in one file at most', () => {
    const names = new Set(scenarios(0.1).map((spec) => spec.name));
    const claimed = Object.values(OWN_FILES).flat();
    expect(Object.keys(OWN_FILES).filter((file) => !existsSync(join(import.meta.dirname, file)))).toEqual([]);
    expect(claimed.filter((name) => !names.has(name))).toEqual([]);
    expect(new Set(claimed).size).toBe(claimed.length);
  });
});
