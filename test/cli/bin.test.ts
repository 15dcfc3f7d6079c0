// The installed command as a user runs it: a real process through bin/, real stdin, stdout,
// stderr and exit status.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogAlertingRuleIds, expectedChecks, expectedOutcome } from '../support/catalog-expectations.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/openai-audit-alerts.js');

function run(args: string[], input?: string, command = process.execPath, prefix = [bin]) {
  const result = spawnSync(command, [...prefix, ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('bin/openai-audit-alerts', () => {
  it("runs the seed's tests and metadata checks, all passing", () => {
    const seed = 'test/fixtures/panther/openai_api_key_anomalous_activity.yml';
    const { status, stdout } = run(['test', seed]);
    expect(status).toBe(0);
    expect(stdout.trim().split('\n').at(-1)).toBe(`${expectedChecks(join(root, seed))} passed, 0 failed`);
  });

  it('evaluates standard input: alerts on stdout only, problems on stderr, exit 1', () => {
    const good = JSON.stringify({
      id: 'e1',
      type: 'api_key.updated',
      'api_key.updated': { changes_requested: { scopes: ['admin'] } },
    });
    const { status, stdout, stderr } = run(['evaluate'], `${good}\nnot json\n`);
    expect(status).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ eventId: 'e1', severity: 'HIGH' });
    expect(stderr).toMatch(/^evaluate: <stdin>:2: not valid JSON: /);
  });

  it("evaluates the bundled sample events: the catalog's outcome, and an alert from every alerting rule", () => {
    const samples = join(root, 'examples/sample-events.jsonl');
    const { status, stdout, stderr } = run(['evaluate', samples]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const alerts = stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { eventId: string | null; ruleId: string; severity: string; eventCount: number },
      );
    const expected = expectedOutcome(samples);
    expect(alerts.map((a) => [a.eventId, a.ruleId, a.severity, a.eventCount])).toEqual(
      expected.alerts.map((a) => [a.eventId, a.ruleId, a.severity, a.eventCount]),
    );
    // Every alerting rule of the catalog fires on them.
    const fired = new Set(alerts.map((a) => a.ruleId));
    expect(catalogAlertingRuleIds().filter((id) => !fired.has(id))).toEqual([]);
    expect(expected.signals).toBeGreaterThan(0);
    expect(expected.novelties).toBeGreaterThan(0);
  });

  it('runs the same from its cached bundle as through tsx', () => {
    const samples = join(root, 'examples/sample-events.jsonl');
    const bundled = run(['evaluate', samples]);
    const tsx = spawnSync(process.execPath, [bin, 'evaluate', samples], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, OPENAI_AUDIT_ALERTS_TSX: '1' },
    });
    expect(bundled.status).toBe(0);
    expect([tsx.status, tsx.stdout, tsx.stderr]).toEqual([bundled.status, bundled.stdout, bundled.stderr]);
    expect(
      readdirSync(join(root, '.cache/cli')).some((key) => existsSync(join(root, '.cache/cli', key, 'entry.mjs'))),
    ).toBe(true);
  });

  it('exits 2 for usage errors', () => {
    expect(run(['nope']).status).toBe(2);
  });

  it('works through npx, as the README says', () => {
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const { status, stdout } = run(['--version'], undefined, npx, ['--no-install', 'openai-audit-alerts']);
    expect(status).toBe(0);
    expect(stdout.trim()).toBe('0.1.0');
  });
});
