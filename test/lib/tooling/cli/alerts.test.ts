// `alerts` lists the archived alerts of a time range: one line each (created at, severity, rule,
// title, every external string printable with secrets masked), or the documents with --json;
// filtered by severity and rule; each alert once; problems with key and line; usage errors.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertObjectKey, DirectoryArchiveStore, gzipLines, writeAlert } from '../../../../lib/archive/index.ts';
import type { AlertDocument } from '../../../../lib/pipeline/alerts/alert-document.ts';
import { ALERTS_HELP, MAIN_HELP } from '../../../../lib/tooling/cli/help.ts';
import { runCli } from '../../../../lib/tooling/cli/main.ts';
import { recordingIo } from '../../../support/recording-io.ts';

const SECRET = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789';

function alert(alertId: string, createdAt: string, changes: Partial<AlertDocument> = {}): AlertDocument {
  return {
    version: 1,
    alertId,
    ruleId: 'OpenAI.API.Key.Anomalous.Activity',
    ruleName: 'OpenAI Anomalous API Key Activity',
    severity: 'HIGH',
    title: `OpenAI API Key with Elevated Scopes: api_key.updated by [mallory@contractor.example]`,
    dedupKey: 'OpenAI.API.Key.Anomalous.Activity:api_key.updated:user:user-mallory',
    createdAt,
    windowStart: '2024-11-24T06:00:00.000Z',
    windowEndsAt: '2024-11-24T07:00:00.000Z',
    escalatesAlertId: null,
    escalatedFromSeverity: null,
    description: 'An API key was created or updated with elevated scopes.',
    runbook: 'Check the key.',
    reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
    mitre: ['TA0003:T1098'],
    logType: 'OpenAI.Audit',
    eventCount: 1,
    eventId: `event-${alertId}`,
    eventType: 'api_key.updated',
    eventTime: createdAt,
    alertContext: { api_key_id: 'key_ops_admin' },
    ...changes,
  };
}

const ALERTS = [
  alert('a0000000000000000000000000000003', '2024-11-25T09:00:00.000Z', {
    severity: 'MEDIUM',
    ruleId: 'OpenAI.Guardrail.Tampering',
    title: 'OpenAI Rate Limit Deleted by [victor@example.com]',
  }),
  alert('a0000000000000000000000000000001', '2024-11-24T06:36:21.000Z'),
  alert('a0000000000000000000000000000002', '2024-11-24T06:51:21.000Z', {
    severity: 'CRITICAL',
    ruleId: 'OpenAI.Account.Takeover.Chain',
    title: `Takeover by [${SECRET}]\u202e\u001b[31m`,
  }),
  alert('a0000000000000000000000000000004', '2024-11-26T00:00:00.000Z'),
];

async function archive(): Promise<{ dir: string; store: DirectoryArchiveStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'alerts-'));
  const store = new DirectoryArchiveStore(dir);
  for (const one of ALERTS) await writeAlert(store, one);
  // The first alert delivered again the next day (created again): listed once.
  await writeAlert(store, { ...ALERTS[1], createdAt: '2024-11-25T06:36:21.000Z' } as AlertDocument);
  return { dir, store };
}

async function run(argv: string[]) {
  const rec = recordingIo();
  const status = await runCli(argv, rec.io);
  return { status, stdout: rec.stdout(), stderr: rec.stderr(), lines: rec.lines() };
}

const RANGE = ['--from', '2024-11-24', '--to', '2024-11-26'];
const summary = (alerts: number, objects: number, duplicates: number, problems = 0) =>
  `alerts: ${alerts} alert${alerts === 1 ? '' : 's'} from 2024-11-24T00:00:00.000Z to 2024-11-26T00:00:00.000Z ` +
  `(${objects} object${objects === 1 ? '' : 's'}, ${duplicates} duplicate${duplicates === 1 ? '' : 's'} dropped), ` +
  `${problems} problem${problems === 1 ? '' : 's'}\n`;

describe('alerts', () => {
  it('has its help, and is listed in the main help', async () => {
    expect(await run(['alerts', '-h'])).toMatchObject({ status: 0, stdout: ALERTS_HELP, stderr: '' });
    expect(await run(['help', 'alerts'])).toMatchObject({ status: 0, stdout: ALERTS_HELP, stderr: '' });
    expect(MAIN_HELP).toContain(
      '  alerts --archive LOC --from ISO --to ISO\n                      List the archived alerts of a time range\n',
    );
  });

  it('lists the alerts created in [--from, --to) oldest first, one line each, secrets masked and controls escaped', async () => {
    const { dir } = await archive();
    const { status, stdout, stderr } = await run(['alerts', '--archive', dir, ...RANGE]);
    expect(status).toBe(0);
    expect(stdout).toBe(
      [
        '2024-11-24T06:36:21.000Z  HIGH      OpenAI.API.Key.Anomalous.Activity  OpenAI API Key with Elevated Scopes: api_key.updated by [mallory@contractor.example]',
        '2024-11-24T06:51:21.000Z  CRITICAL  OpenAI.Account.Takeover.Chain  Takeover by [sk-proj-…6789]\\u202e\\u001b[31m',
        '2024-11-25T09:00:00.000Z  MEDIUM    OpenAI.Guardrail.Tampering  OpenAI Rate Limit Deleted by [victor@example.com]',
        '',
      ].join('\n'),
    );
    expect(stdout).not.toContain('AbCdEfGh');
    expect(stderr).toBe(summary(3, 4, 1));
  });

  it('filters by --severity (any case) and --rule', async () => {
    const { dir } = await archive();
    const ids = async (...options: string[]) =>
      (await run(['alerts', '--archive', dir, ...RANGE, ...options, '--json'])).lines.map((line) =>
        (JSON.parse(line) as { alertId: string }).alertId.slice(-1),
      );
    expect(await ids('--severity', 'critical')).toEqual(['2']);
    expect(await ids('--severity', 'HIGH')).toEqual(['1']);
    expect(await ids('--rule', 'OpenAI.Guardrail.Tampering')).toEqual(['3']);
    expect(await ids('--rule', 'OpenAI.Guardrail.Tampering', '--severity', 'HIGH')).toEqual([]);
  });

  it('prints each alert document as one JSON line with --json, secrets masked, nothing else on stdout', async () => {
    const { dir } = await archive();
    const { status, lines, stdout } = await run(['alerts', '--archive', dir, ...RANGE, '--json']);
    expect(status).toBe(0);
    const documents = lines.map((line) => JSON.parse(line) as AlertDocument);
    expect(documents).toEqual([
      ALERTS[1],
      { ...ALERTS[2], title: 'Takeover by [sk-proj-…6789]\u202e\u001b[31m' },
      ALERTS[0],
    ]);
    expect(stdout).toContain('\\u202e');
    expect(stdout).not.toContain('\u202e');
    expect(stdout).not.toContain('AbCdEfGh');
  });

  it('reports an object line that cannot be read with its key and line number, and exits 1', async () => {
    const { dir, store } = await archive();
    const key = alertObjectKey('2024-11-24', 'broken');
    await store.put(key, gzipLines(['{"alertId": "broken"}']));
    const { status, lines, stderr } = await run(['alerts', '--archive', dir, ...RANGE]);
    expect(status).toBe(1);
    expect(lines).toHaveLength(3);
    expect(stderr).toBe(`alerts: ${key}:1: not an alert document: "ruleId" must be a string\n${summary(3, 5, 1, 1)}`);
  });

  it('refuses every usage error with exit 2 and one line naming the problem', async () => {
    const { dir } = await archive();
    const cases: Array<[string[], string]> = [
      [['alerts', ...RANGE], 'alerts: --archive is required: s3://BUCKET[/PREFIX] or a directory; see --help\n'],
      [['alerts', '--archive', 's3://', ...RANGE], 'alerts: --archive: the bucket name is missing; see --help\n'],
      [
        ['alerts', '--archive', dir, '--from', '2024-11-24T00:00', '--to', '2024-11-26'],
        'alerts: --from needs a time zone (Z or +HH:MM), such as 2024-11-24 or 2024-11-24T06:00:00Z, got "2024-11-24T00:00"; see --help\n',
      ],
      [
        ['alerts', '--archive', dir, '--from', '2024-11-26', '--to', '2024-11-26'],
        'alerts: --to (2024-11-26T00:00:00.000Z) must be after --from (2024-11-26T00:00:00.000Z); see --help\n',
      ],
      [
        ['alerts', '--archive', dir, ...RANGE, '--severity', 'urgent'],
        'alerts: --severity must be one of INFO, LOW, MEDIUM, HIGH, CRITICAL, got "urgent"; see --help\n',
      ],
      [['alerts', '--archive', dir, ...RANGE, '--rule='], 'alerts: --rule needs a rule id; see --help\n'],
      [['alerts', '--archive', dir, ...RANGE, '--json=yes'], 'alerts: option --json takes no value; see --help\n'],
      [['alerts', '--archive', dir, ...RANGE, 'x'], 'alerts: takes no arguments; see --help\n'],
    ];
    for (const [argv, stderr] of cases) {
      const result = await run(argv);
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }, argv.join(' ')).toEqual({
        status: 2,
        stdout: '',
        stderr,
      });
    }
  });
});
