import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCOPE_POLICY_FILE_ENV, loadScopePolicy } from '../../../lib/config/scope-policy-file.ts';
import { DEFAULT_SCOPE_POLICY } from '../../../lib/detection/rules/openai/default-scope-policy.ts';
import { ScopePolicyError } from '../../../lib/detection/rules/openai/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'policy-'));

describe('loadScopePolicy', () => {
  it('uses the default policy when the variable is unset or empty', () => {
    expect(loadScopePolicy({})).toBe(DEFAULT_SCOPE_POLICY);
    expect(loadScopePolicy({ [SCOPE_POLICY_FILE_ENV]: '' })).toBe(DEFAULT_SCOPE_POLICY);
  });

  it('reads the named file', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ elevatedScopes: [{ exact: 'x', severity: 'LOW' }] }));
    expect(loadScopePolicy({ [SCOPE_POLICY_FILE_ENV]: file })).toEqual({
      elevatedScopes: [{ exact: 'x', severity: 'LOW' }],
    });
  });

  it('names the variable and the file when it cannot be read', () => {
    const file = join(dir, 'missing.json');
    expect(() => loadScopePolicy({ [SCOPE_POLICY_FILE_ENV]: file })).toThrow(ScopePolicyError);
    expect(() => loadScopePolicy({ [SCOPE_POLICY_FILE_ENV]: file })).toThrow(
      `${SCOPE_POLICY_FILE_ENV}=${file}: cannot read the policy file: ENOENT`,
    );
  });

  it('names the variable and the file when it is invalid', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ elevatedScopes: [{ exact: 'x', severity: 'URGENT' }] }));
    expect(() => loadScopePolicy({ [SCOPE_POLICY_FILE_ENV]: file })).toThrow(
      `${SCOPE_POLICY_FILE_ENV}=${file}: elevatedScopes[0].severity: expected one of INFO, LOW, MEDIUM, HIGH, CRITICAL, got "URGENT"`,
    );
  });
});
