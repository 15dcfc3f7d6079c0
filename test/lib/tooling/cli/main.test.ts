import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EVALUATE_HELP,
  MAIN_HELP,
  POLICY_HELP,
  POLL_HELP,
  START_HELP,
  TEST_HELP,
} from '../../../../lib/tooling/cli/help.ts';
import { runCli } from '../../../../lib/tooling/cli/main.ts';
import { DEFAULT_SCOPE_POLICY } from '../../../../lib/detection/rules/openai/default-scope-policy.ts';
import { recordingIo } from '../../../support/recording-io.ts';

async function run(argv: string[]) {
  const rec = recordingIo();
  const status = await runCli(argv, rec.io);
  return { status, stdout: rec.stdout(), stderr: rec.stderr() };
}

describe('runCli', () => {
  it('prints help for the program and for every command', async () => {
    expect(await run(['--help'])).toEqual({ status: 0, stdout: MAIN_HELP, stderr: '' });
    expect(await run(['-h'])).toEqual({ status: 0, stdout: MAIN_HELP, stderr: '' });
    expect(await run(['help', 'evaluate'])).toEqual({ status: 0, stdout: EVALUATE_HELP, stderr: '' });
    expect(await run(['evaluate', '--help'])).toEqual({ status: 0, stdout: EVALUATE_HELP, stderr: '' });
    expect(await run(['test', '-h'])).toEqual({ status: 0, stdout: TEST_HELP, stderr: '' });
    expect(await run(['policy', '--help'])).toEqual({ status: 0, stdout: POLICY_HELP, stderr: '' });
    expect(await run(['start', '--help'])).toEqual({ status: 0, stdout: START_HELP, stderr: '' });
    expect(await run(['poll', '--help'])).toEqual({ status: 0, stdout: POLL_HELP, stderr: '' });
  });

  it('prints the version from package.json', async () => {
    expect(await run(['--version'])).toEqual({ status: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('exits 2 for a missing or unknown command, or an unknown option', async () => {
    expect(await run([])).toMatchObject({ status: 2, stdout: '', stderr: MAIN_HELP });
    const unknown = await run(['evalute']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(
      'openai-audit-alerts: unknown command "evalute"; commands: evaluate, test, policy, coverage, poll, start, hunt, alerts (see --help)\n',
    );
    const option = await run(['evaluate', '--fast']);
    expect(option.status).toBe(2);
    expect(option.stderr).toBe('evaluate: unknown option --fast; see --help\n');
    expect(await run(['start', '--events'])).toMatchObject({
      status: 2,
      stderr: 'start: option --events <value> needs a value; see --help\n',
    });
    expect(await run(['start', '--json=yes'])).toMatchObject({
      status: 2,
      stderr: 'start: option --json takes no value; see --help\n',
    });
    expect((await run(['constructor'])).status).toBe(2);
  });

  it("says every argument problem in one line of its own, never in the words of Node's parser", async () => {
    const cases: Array<[string[], string]> = [
      [['evaluate', '-x'], 'evaluate: unknown option -x; see --help\n'],
      [['evaluate', "--it's"], "evaluate: unknown option --it's; see --help\n"],
      [['evaluate', '-ab'], 'evaluate: unknown option -a; see --help\n'],
      [['policy', '--json'], 'policy: unknown option --json; see --help\n'],
      [['evaluate', '--every-match='], 'evaluate: option --every-match takes no value; see --help\n'],
      [['start', '--events', '--json'], 'start: option --events <value> needs a value; see --help\n'],
      [['poll', '--since'], 'poll: option --since <value> needs a value; see --help\n'],
    ];
    for (const [args, stderr] of cases) {
      const result = await run(args);
      expect(result, args.join(' ')).toEqual({ status: 2, stdout: '', stderr });
    }
    // After --, an argument that looks like an option is a file name.
    expect((await run(['evaluate', '--', '-x'])).stderr).toMatch(/^evaluate: cannot read -x: ENOENT/);
    // A value may start with '-' when given with '='.
    expect((await run(['poll', '--once', '--since=-oops'])).stderr).toMatch(/^poll: --since must be an ISO-8601 time/);
  });

  it('exits 2 with the variable and the problem for a configuration error, on every command', async () => {
    const bad = { RULES_CONFIG: '{"rules": {"Nope": {}}}' };
    for (const command of [
      ['evaluate', '-'],
      ['test', 'x.yml'],
    ]) {
      const rec = recordingIo({ stdin: '{}', env: bad });
      expect(await runCli(command, rec.io)).toBe(2);
      expect(rec.stderr()).toMatch(/invalid rules configuration: RULES_CONFIG: rules\["Nope"\]: unknown rule id/);
    }
  });

  it('prints the default policy as a valid policy file', async () => {
    const { status, stdout } = await run(['policy']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      includeDefaults: false,
      unrestrictedKeys: true,
      unrecordedScopesSeverity: 'MEDIUM',
      elevatedScopes: DEFAULT_SCOPE_POLICY.elevatedScopes,
    });
    expect((await run(['policy', 'extra'])).status).toBe(2);
  });

  it("prints a policy file's notes with bidi controls and line separators escaped, keeping their values", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const note = 'net\u202eworks\u2028\u009b';
    writeFileSync(
      join(dir, 'p.json'),
      JSON.stringify({ includeDefaults: false, elevatedScopes: [{ exact: 'x.write', severity: 'LOW', note }] }),
    );
    const rec = recordingIo({ env: { ELEVATED_SCOPE_POLICY_FILE: join(dir, 'p.json') } });
    expect(await runCli(['policy'], rec.io)).toBe(0);
    expect(rec.stdout()).toContain('"note": "net\\u202eworks\\u2028\\u009b"');
    expect((JSON.parse(rec.stdout()) as { elevatedScopes: Array<{ note?: string }> }).elevatedScopes[0]?.note).toBe(
      note,
    );
  });
});
