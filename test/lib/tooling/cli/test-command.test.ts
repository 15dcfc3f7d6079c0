import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../lib/tooling/cli/main.ts';
import { expectedChecks, knownRuleIds } from '../../../support/catalog-expectations.ts';
import { recordingIo } from '../../../support/recording-io.ts';

const root = join(import.meta.dirname, '../../../..');
const seed = join(root, 'test/fixtures/panther/openai_api_key_anomalous_activity.yml');
const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(argv: string[]) {
  const rec = recordingIo();
  const status = await runCli(argv, rec.io);
  return { status, lines: rec.lines(), stderr: rec.stderr() };
}

describe('test command', () => {
  it("passes every test and metadata check of the seed's YAML", async () => {
    const { status, lines, stderr } = await run(['test', seed]);
    const checks = expectedChecks(seed);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(lines).toHaveLength(checks + 1);
    expect(lines.slice(0, checks).every((line) => line.startsWith('PASS  OpenAI.API.Key.Anomalous.Activity: '))).toBe(
      true,
    );
    expect(lines.filter((line) => line.includes(': metadata '))).toHaveLength(checks - 8);
    expect(lines[checks]).toBe(`${checks} passed, 0 failed`);
  });

  it('fails a metadata key that differs from ours without a documented reason', async () => {
    const differs = file(
      'differs.yml',
      'RuleID: OpenAI.API.Key.Anomalous.Activity\nSeverity: Low\nTests: [{Name: n, ExpectedResult: false, Log: {}}]\n',
    );
    const { status, lines } = await run(['test', differs]);
    expect(status).toBe(1);
    expect(lines).toContain('FAIL  OpenAI.API.Key.Anomalous.Activity: metadata Severity: Panther LOW, ours MEDIUM');
    expect(lines.at(-1)).toBe('1 passed, 1 failed');
  });

  it('prints a failing test with what differed and exits 1', async () => {
    const failing = file(
      'failing.yml',
      `RuleID: OpenAI.API.Key.Anomalous.Activity
Tests:
  - Name: wrong severity
    ExpectedResult: true
    ExpectedSeverity: LOW
    Log: { id: e, type: api_key.created, api_key_created: { data: { scopes: [all] } } }
  - Name: right
    ExpectedResult: false
    Log: { id: f, type: login.succeeded }
`,
    );
    const { status, lines } = await run(['test', failing]);
    expect(status).toBe(1);
    expect(lines).toEqual([
      'FAIL  OpenAI.API.Key.Anomalous.Activity: wrong severity -- severity: expected "LOW", got "HIGH"',
      'PASS  OpenAI.API.Key.Anomalous.Activity: right',
      '1 passed, 1 failed',
    ]);
  });

  it('exits 1 on an unknown RuleID or an unreadable file, and still runs the other files', async () => {
    const unknown = file('unknown.yml', 'RuleID: Nope.Rule\nTests: [{Name: n, ExpectedResult: false, Log: {}}]\n');
    const { status, lines, stderr } = await run(['test', unknown, join(dir, 'missing.yml'), seed]);
    expect(status).toBe(1);
    expect(lines.at(-1)).toBe(`${expectedChecks(seed)} passed, 0 failed`);
    expect(stderr).toContain(`test: ${unknown}: unknown RuleID "Nope.Rule" (known: ${knownRuleIds()})`);
    expect(stderr).toContain(`test: ${join(dir, 'missing.yml')}: cannot read: ENOENT`);
  });

  it('exits 1 with the parser message for a malformed file', async () => {
    const bad = file('bad.yml', 'RuleID: X\nTests: [{Name: n, ExpectedResult: maybe, Log: {}}]\n');
    const { status, stderr } = await run(['test', bad]);
    expect(status).toBe(1);
    expect(stderr).toBe(`test: ${bad}: Tests[0] ("n").ExpectedResult: expected true or false, got string\n`);
  });

  it('exits 2 without files', async () => {
    expect((await run(['test'])).status).toBe(2);
  });
});
