// Prettier over the whole project, as `npm run format:check` runs it: part of `npm test` as a test,
// so it runs beside the other test files instead of before them. `npm run format` fixes it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

describe('the project', () => {
  it('is formatted (prettier --check .)', () => {
    const result = spawnSync(process.execPath, [join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '.'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
