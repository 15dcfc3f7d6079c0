// `--rules DIR` across the commands that take it: a folder of Panther simple detections joins the
// catalog for `test` and `evaluate`, the rules configuration can tune its detections, and a
// detection that does not compile stops the command with status 2, its file and line.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../lib/tooling/cli/main.ts';
import { recordingIo } from '../../../support/recording-io.ts';

const root = join(import.meta.dirname, '../../../..');
const fixture = join(root, 'test/fixtures/own-rules/identity/scim-disabled.yml');
const RULE = 'Custom.OpenAI.SCIM.Disabled';

function rulesFolder(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'own-rules-'));
  mkdirSync(join(dir, 'identity'));
  copyFileSync(fixture, join(dir, 'identity', 'scim-disabled.yml'));
  writeFileSync(join(dir, 'README.md'), '# our detections\n');
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

async function run(argv: string[], stdin = '', env: Record<string, string> = {}) {
  const rec = recordingIo({ stdin, env });
  const status = await runCli(argv, rec.io);
  return { status, lines: rec.lines(), stderr: rec.stderr() };
}

const scimDisabled = JSON.stringify({
  id: 'audit_log-scim-1',
  type: 'scim.disabled',
  effective_at: 1_763_900_000,
  actor: { type: 'session', session: { user: { id: 'user-9', email: 'ops@example.com' }, ip_address: '198.51.100.7' } },
  'scim.disabled': { id: 'scim-config-1' },
});

describe('--rules DIR', () => {
  it('test runs every test of the folder’s detections, named by rule and test', async () => {
    const { status, lines, stderr } = await run(['test', '--rules', rulesFolder()]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(0, -1).every((line) => line.startsWith(`PASS  ${RULE}: `))).toBe(true);
    expect(lines.at(-1)).toBe(`${lines.length - 1} passed, 0 failed`);
  });

  it('evaluate alerts with the folder’s detections beside the built-in rules; RULES_DIR does the same', async () => {
    const dir = rulesFolder();
    for (const [argv, env] of [
      [['evaluate', '--rules', dir, '-'], {}],
      [['evaluate', '-'], { RULES_DIR: dir }],
    ] as const) {
      const { status, lines } = await run([...argv], scimDisabled, env);
      expect(status).toBe(0);
      const alerts = lines.map((line) => JSON.parse(line) as { ruleId: string; title: string; dedupKey: string });
      expect(alerts.map((alert) => alert.ruleId).sort()).toEqual([RULE, 'OpenAI.SCIM.Configuration.Change'].sort());
      expect(alerts.find((alert) => alert.ruleId === RULE)).toMatchObject({
        title: 'OpenAI SCIM Disabled by [ops@example.com]',
        dedupKey: 'scim-config-1',
      });
    }
  });

  it('reads Sigma rules in the same folder, correlations included: their tests, and their alerts in evaluate', async () => {
    const dir = rulesFolder();
    for (const name of ['api-key-elevated-scopes.yml', 'brute-force-then-login.yml'])
      copyFileSync(join(root, 'test/fixtures/sigma', name), join(dir, name));
    const tested = await run(['test', '--rules', dir]);
    expect(tested.stderr).toBe('');
    expect(tested.status).toBe(0);
    const ids = new Set(tested.lines.slice(0, -1).map((line) => line.split(':')[0]));
    expect([...ids].sort()).toEqual(
      [
        'PASS  Custom.OpenAI.API.Key.Elevated.Scopes',
        'PASS  Custom.OpenAI.BruteForce.Then.Login',
        `PASS  ${RULE}`,
      ].sort(),
    );
    const elevated = JSON.stringify({
      id: 'audit_log-key-1',
      type: 'api_key.created',
      effective_at: 1_763_900_000,
      actor: {
        type: 'session',
        session: { user: { id: 'user-3', email: 'dev@example.com' }, ip_address: '203.0.113.5' },
      },
      'api_key.created': { id: 'key_1', data: { scopes: ['all'] } },
    });
    const evaluated = await run(['evaluate', '--rules', dir, '-'], elevated);
    expect(evaluated.status).toBe(0);
    expect(evaluated.lines.map((line) => (JSON.parse(line) as { ruleId: string }).ruleId)).toContain(
      'Custom.OpenAI.API.Key.Elevated.Scopes',
    );
  });

  it('lets the rules configuration disable a detection of the folder, and refuses a rule id it does not know', async () => {
    const dir = rulesFolder();
    const off = await run(['evaluate', '--rules', dir, '-'], scimDisabled, {
      RULES_CONFIG: JSON.stringify({ rules: { [RULE]: { enabled: false } } }),
    });
    expect(off.status).toBe(0);
    expect(off.lines.map((line) => (JSON.parse(line) as { ruleId: string }).ruleId)).toEqual([
      'OpenAI.SCIM.Configuration.Change',
    ]);
    const unknown = await run(['evaluate', '-'], scimDisabled, {
      RULES_CONFIG: JSON.stringify({ rules: { [RULE]: { enabled: false } } }),
    });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(RULE);
  });

  it('stops with status 2, the file, the line and the problem, at a detection that does not compile', async () => {
    const bad =
      'AnalysisType: rule\nRuleID: Own.Bad\nEnabled: true\nSeverity: High\nLogTypes: [OpenAI.Audit]\nDetection:\n  - Key: type\n    Condition: Equalz\n    Value: x\n';
    const dir = rulesFolder({ 'bad.yml': bad });
    for (const argv of [
      ['test', '--rules', dir],
      ['evaluate', '--rules', dir, '-'],
    ]) {
      const { status, lines, stderr } = await run(argv, scimDisabled);
      expect(status).toBe(2);
      expect(lines).toEqual([]);
      expect(stderr).toMatch(
        new RegExp(`configuration error: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/bad\\.yml:8: .*Equalz`),
      );
    }
  });

  it('warns of what a Sigma file without tests ignores, and refuses a symbolic link in the folder', async () => {
    const related =
      'title: Scim off\nname: Own.Scim.Off\nrelated:\n  - id: 08fbc97d-0a2f-491c-ae21-8ffcfd3174e9\n    type: derived\nlogsource: { product: openai, service: audit }\ndetection:\n  selection:\n    type: scim.disabled\n  condition: selection\nlevel: high\n';
    const dir = rulesFolder({ 'scim-off.yml': related });
    const warned = await run(['test', '--rules', dir]);
    expect(warned.status).toBe(0);
    expect(warned.stderr).toMatch(/^test: scim-off\.yml:3: related has no effect here: /);
    symlinkSync(join(dir, 'scim-off.yml'), join(dir, 'linked.yml'));
    const linked = await run(['test', '--rules', dir]);
    expect(linked.status).toBe(2);
    expect(linked.stderr).toContain('linked.yml is a symbolic link: copy the file into the folder');
  });

  it('test needs a FILE or a folder', async () => {
    const { status, stderr } = await run(['test']);
    expect(status).toBe(2);
    expect(stderr).toBe('test: needs at least one rule YAML FILE or DIR, or --rules DIR; see --help\n');
  });

  it('test reads a DIR of test files, and --filter keeps the rules whose id matches', async () => {
    const signals = join(root, 'lib/detection/rules/openai');
    const all = await run(['test', signals]);
    expect(all.status).toBe(0);
    const ids = (lines: string[]) => [...new Set(lines.slice(0, -1).map((line) => line.split(':')[0]))];
    expect(ids(all.lines).length).toBeGreaterThan(10);
    // The login signals are written as data, in the repository's own rules folder.
    const logins = await run(['test', signals, join(root, 'rules'), '--filter', 'OpenAI.Login.*']);
    expect(logins.status).toBe(0);
    expect(ids(logins.lines)).toEqual(['PASS  OpenAI.Login.Failed', 'PASS  OpenAI.Login.Success']);
    const mine = await run(['test', '--rules', rulesFolder(), signals, '--filter', 'Custom.*']);
    expect(ids(mine.lines)).toEqual([`PASS  ${RULE}`]);
    const none = await run(['test', signals, '--filter', 'Nothing.*']);
    expect(none.status).toBe(1);
    expect(none.lines).toEqual(['0 passed, 0 failed']);
    expect(none.stderr).toBe('test: --filter "Nothing.*" matches no rule of the files given\n');
  });
});
