// ESLint (typescript-eslint, type-aware) over the whole project, as `npm run lint` runs it: part of
// `npm test` as a test, so it runs beside the other test files instead of before them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

describe('the project', () => {
  it('passes ESLint (eslint .)', () => {
    const result = spawnSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '.'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });
});
