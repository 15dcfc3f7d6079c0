// `hunt` over an archive prints exactly what `evaluate` prints over the same events: written here
// with the archive's own writer from examples/sample-events.jsonl, in batches (one redelivered in
// another batch), to a directory and to S3 (fauxqs, over the wire); then --rule, --org, progress,
// archive lines that cannot be read, and every usage error.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  archivedEvent,
  DirectoryArchiveStore,
  eventObjectKey,
  gzipLines,
  S3ArchiveStore,
  writeEventBatch,
  type ArchiveStore,
} from '../../../../lib/archive/index.ts';
import { createRuleCatalog } from '../../../../lib/detection/rules/create-rule-catalog.ts';
import type { JsonObject } from '../../../../lib/shared/json.ts';
import { formatDuration } from '../../../../lib/tooling/cli/commands/hunt.ts';
import { HUNT_HELP, MAIN_HELP } from '../../../../lib/tooling/cli/help.ts';
import { runCli } from '../../../../lib/tooling/cli/main.ts';
import { recordingIo } from '../../../support/recording-io.ts';

const SAMPLES = join(import.meta.dirname, '../../../../examples/sample-events.jsonl');
const samples = readFileSync(SAMPLES, 'utf8')
  .split('\n')
  .filter((text) => text.trim() !== '')
  .map((text) => JSON.parse(text) as JsonObject);

const RANGE = ['--from', '2024-11-01', '--to', '2024-12-01'];

/**
 * The sample events archived as the detection function would: batches of 7 messages of one event
 * each, the batch after the second also carrying the second batch's first record again (a record
 * redelivered in another batch). Returns the number of objects and of duplicates stored.
 */
async function archiveSamples(store: ArchiveStore, organizationId: string | null = 'org-abc123') {
  let objects = 0;
  let duplicates = 0;
  const lines = samples.map((event, i) =>
    archivedEvent({
      organizationId,
      messageId: `msg-${String(i).padStart(3, '0')}`,
      source: 'poller',
      receivedAt: new Date('2024-11-24T08:00:00Z'),
      event,
    }),
  );
  for (let i = 0; i < lines.length; i += 7) {
    const batch = lines.slice(i, i + 7);
    if (i === 14) {
      batch.push(lines[7] as (typeof lines)[number]);
      duplicates++;
    }
    objects += (await writeEventBatch(store, batch)).length;
  }
  return { objects, duplicates };
}

async function run(argv: string[], options: { env?: Record<string, string>; tty?: boolean } = {}) {
  const rec = recordingIo({ env: options.env ?? {} });
  const status = await runCli(argv, rec.io);
  return { status, stdout: rec.stdout(), stderr: rec.stderr(), lines: rec.lines() };
}

// What evaluate prints over the same events in event time (the archive is read in event time, ties
// by event id; the sample file holds a few events out of order).
const seconds = (event: JsonObject) => (typeof event.effective_at === 'number' ? event.effective_at : 0);
const idOf = (event: JsonObject) => (typeof event.id === 'string' ? event.id : '');
const inEventTime = [...samples].sort(
  (a, b) => seconds(a) - seconds(b) || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0),
);
const SORTED = join(mkdtempSync(join(tmpdir(), 'hunt-samples-')), 'sample-events-in-event-time.jsonl');
writeFileSync(SORTED, inEventTime.map((event) => `${JSON.stringify(event)}\n`).join(''));
const evaluated = await run(['evaluate', SORTED]);
const alertLines = evaluated.lines;
const ruleOf = (line: string) => (JSON.parse(line) as { ruleId: string }).ruleId;

const SIGNAL = createRuleCatalog().rules.find((rule) => rule.kind === 'signal')?.id ?? 'no signal in the catalog';

const directory = () => mkdtempSync(join(tmpdir(), 'hunt-'));
const summary = (events: number, objects: number, days: number, duplicates: number, alerts: number, problems = 0) =>
  `hunt: ${events} event${events === 1 ? '' : 's'} from 2024-11-01T00:00:00.000Z to 2024-12-01T00:00:00.000Z ` +
  `(${objects} object${objects === 1 ? '' : 's'}, ${days} day${days === 1 ? '' : 's'}, ${duplicates} duplicate${duplicates === 1 ? '' : 's'} dropped): ` +
  `${alerts} alert${alerts === 1 ? '' : 's'}, ${problems} problem${problems === 1 ? '' : 's'}\n`;

describe('hunt', () => {
  it('has its help, and is listed in the main help', async () => {
    expect(await run(['hunt', '--help'])).toMatchObject({ status: 0, stdout: HUNT_HELP, stderr: '' });
    expect(await run(['help', 'hunt'])).toMatchObject({ status: 0, stdout: HUNT_HELP, stderr: '' });
    expect(HUNT_HELP).toMatch(
      /^Usage: openai-audit-alerts hunt --archive s3:\/\/BUCKET\[\/PREFIX\] \| DIR --from ISO --to ISO /,
    );
    expect(MAIN_HELP).toContain(
      '  hunt --archive LOC --from ISO --to ISO\n                      Run the rules over the archived events of a time range, as evaluate does\n',
    );
  });
});

describe('hunt over a directory archive', () => {
  it("prints exactly evaluate's alert lines over the same events, and one summary line on stderr", async () => {
    expect(evaluated.status).toBe(0);
    expect(alertLines.length).toBeGreaterThan(20);
    const dir = directory();
    const { objects, duplicates } = await archiveSamples(new DirectoryArchiveStore(dir));
    const hunted = await run(['hunt', '--archive', dir, ...RANGE]);
    expect(hunted.status).toBe(0);
    expect(hunted.stdout).toBe(evaluated.stdout);
    expect(hunted.stderr).toBe(summary(samples.length, objects, 30, duplicates, alertLines.length));
  });

  it('prints only the alerts of --rule ID; a correlation still sees its steps', async () => {
    const dir = directory();
    await archiveSamples(new DirectoryArchiveStore(dir));
    const catalog = createRuleCatalog();
    const correlation = catalog.rules.find(
      (rule) => rule.kind === 'correlation' && alertLines.some((line) => ruleOf(line) === rule.id),
    );
    expect(correlation).toBeDefined();
    for (const ruleId of ['OpenAI.SCIM.Configuration.Change', correlation?.id ?? '']) {
      const hunted = await run(['hunt', '--archive', dir, ...RANGE, '--rule', ruleId]);
      const expected = alertLines.filter((line) => ruleOf(line) === ruleId);
      expect(expected.length, ruleId).toBeGreaterThan(0);
      expect(hunted.lines, ruleId).toEqual(expected);
      expect(hunted.status).toBe(0);
    }
  });

  it('reads only the events of --org ID', async () => {
    const dir = directory();
    const store = new DirectoryArchiveStore(dir);
    await archiveSamples(store);
    // Another organization's event that alerts on its own.
    const scim = samples.find((event) => event.type === 'scim.disabled') as JsonObject;
    await writeEventBatch(store, [
      archivedEvent({
        organizationId: 'org-other',
        messageId: 'msg-other',
        source: 'webhook',
        receivedAt: new Date('2024-11-24T08:00:00Z'),
        event: { ...scim, id: 'audit_log-other-1', effective_at: 1732440000 },
      }),
    ]);
    const ours = await run(['hunt', '--archive', dir, ...RANGE, '--org', 'org-abc123']);
    expect(ours.stdout).toBe(evaluated.stdout);
    const theirs = await run(['hunt', '--archive', dir, ...RANGE, '--org', 'org-other']);
    expect(theirs.lines.map((line) => (JSON.parse(line) as { eventId: string }).eventId)).toEqual([
      'audit_log-other-1',
    ]);
    expect(theirs.stderr).toBe(summary(1, 1, 30, 0, 1));
    const nobody = await run(['hunt', '--archive', dir, ...RANGE, '--org', 'none']);
    expect([nobody.status, nobody.stdout, nobody.stderr]).toEqual([0, '', summary(0, 0, 30, 0, 0)]);
  });

  it('reports a line that cannot be read with its key and line number, goes on, and exits 1', async () => {
    const dir = directory();
    const store = new DirectoryArchiveStore(dir);
    const { objects, duplicates } = await archiveSamples(store);
    const key = eventObjectKey('org-abc123', '2024-11-24', 'f00d');
    await store.put(
      key,
      gzipLines([
        '{"organization_id":null,"message_id":"m","source":"","received_at":"2024-11-24T08:00:00Z","event":{"id":"x"}}',
        '{oops',
      ]),
    );
    const hunted = await run(['hunt', '--archive', dir, ...RANGE]);
    expect(hunted.status).toBe(1);
    expect(hunted.stdout).toBe(evaluated.stdout);
    const problems = hunted.stderr.split('\n').filter((line) => line !== '');
    expect(problems).toEqual([
      `hunt: ${key}:1: not an archived event: "event": missing required field "type"`,
      expect.stringMatching(
        new RegExp(`^hunt: ${key.replaceAll('.', '\\.')}:2: not valid JSON: .*\\(column 2\\)$`),
      ) as unknown,
      summary(samples.length, objects + 1, 30, duplicates, alertLines.length, 2).trimEnd(),
    ]);
  });

  it('shows progress on stderr with --progress: events read, the event time reached, the time left before --to', async () => {
    const dir = directory();
    await archiveSamples(new DirectoryArchiveStore(dir));
    const hunted = await run(['hunt', '--archive', dir, ...RANGE, '--progress']);
    const lines = hunted.stderr.split('\n').filter((line) => line !== '');
    // The first event read (the earliest: 2024-11-15T07:00:40Z) is shown at once; later lines at most once a second.
    expect(lines[0]).toBe(
      'hunt: 1 event read, at 2024-11-15T07:00:40.000Z (47% of the range, 15d 16h of event time left before --to)',
    );
    for (const line of lines.slice(1, -1))
      expect(line).toMatch(
        /^hunt: \d+ events read, at 2024-11-24T\S+ \(\d+% of the range, \S+ \S+ of event time left before --to\)$/,
      );
    expect(`${lines.at(-1) ?? ''}\n`).toMatch(new RegExp(`^hunt: ${samples.length} events from `));
    expect(hunted.stdout).toBe(evaluated.stdout);
  });

  it('refuses every usage error with exit 2 and one line naming the problem', async () => {
    const dir = directory();
    await archiveSamples(new DirectoryArchiveStore(dir));
    const cases: Array<[string[], string]> = [
      [['hunt', ...RANGE], 'hunt: --archive is required: s3://BUCKET[/PREFIX] or a directory; see --help\n'],
      [
        ['hunt', '--archive', 'gs://bucket', ...RANGE],
        'hunt: --archive: "gs://" is not supported: give s3://BUCKET[/PREFIX] or a directory; see --help\n',
      ],
      [
        ['hunt', '--archive', 's3://No_Such', ...RANGE],
        'hunt: --archive: the bucket name "No_Such" is not one: 3-63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit; see --help\n',
      ],
      [
        ['hunt', '--archive', join(dir, 'absent'), ...RANGE],
        `hunt: --archive: no directory ${JSON.stringify(join(dir, 'absent'))}; see --help\n`,
      ],
      [
        ['hunt', '--archive', dir, '--to', '2024-12-01'],
        'hunt: --from is required: the start of the range, e.g. --from 2024-11-24; see --help\n',
      ],
      [
        ['hunt', '--archive', dir, '--from', 'last week', '--to', '2024-12-01'],
        'hunt: --from must be an ISO 8601 date or time such as 2024-11-24 or 2024-11-24T06:00:00Z, got "last week"; see --help\n',
      ],
      [
        ['hunt', '--archive', dir, '--from', '2024-12-01', '--to', '2024-11-01'],
        'hunt: --to (2024-11-01T00:00:00.000Z) must be after --from (2024-12-01T00:00:00.000Z); see --help\n',
      ],
      [
        ['hunt', '--archive', dir, ...RANGE, '--org', 'org/..'],
        'hunt: --org: the organization id must be 1-128 letters, digits, "-" or "_", got "org/.."; see --help\n',
      ],
      [
        ['hunt', '--archive', dir, ...RANGE, '--rule', 'Nope.Rule'],
        'hunt: --rule: no rule "Nope.Rule" in the catalog (the built-in rules and those of --rules DIR); see --help\n',
      ],
      [
        ['hunt', '--archive', dir, ...RANGE, '--rule', SIGNAL],
        `hunt: --rule: "${SIGNAL}" is a signal: it feeds correlations and never alerts; name a rule that alerts; see --help\n`,
      ],
      [
        ['hunt', '--archive', dir, ...RANGE, '--max-windows', '5'],
        'hunt: --max-windows must be an integer of at least 1000, got "5"\n',
      ],
      [['hunt', '--archive', dir, ...RANGE, 'extra'], 'hunt: takes no arguments; see --help\n'],
      [['hunt', '--archive'], 'hunt: option --archive <value> needs a value; see --help\n'],
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

  it('refuses --rule of a rule the rules configuration turns off', async () => {
    const dir = directory();
    const result = await run(['hunt', '--archive', dir, ...RANGE, '--rule', 'OpenAI.SCIM.Configuration.Change'], {
      env: { RULES_CONFIG: '{"rules": {"OpenAI.SCIM.Configuration.Change": {"enabled": false}}}' },
    });
    expect([result.status, result.stderr]).toEqual([
      2,
      'hunt: --rule: "OpenAI.SCIM.Configuration.Change" is turned off by the rules configuration; see --help\n',
    ]);
  });
});

describe('hunt over S3', () => {
  // fauxqs serves S3 on the shared emulators' endpoint.
  const endpoint = inject('emulators').s3;
  let client: S3Client;

  beforeAll(() => {
    client = new S3Client({ endpoint, forcePathStyle: true });
  });

  afterAll(() => {
    client.destroy();
  });

  it("prints exactly evaluate's alert lines, reading s3://BUCKET/PREFIX with the default credential chain", async () => {
    const bucket = `hunt-${randomUUID().slice(0, 12)}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const { objects, duplicates } = await archiveSamples(new S3ArchiveStore(client, bucket, 'openai/audit'));
    const hunted = await run(['hunt', '--archive', `s3://${bucket}/openai/audit/`, ...RANGE], {
      env: { AWS_ENDPOINT_URL_S3: endpoint },
    });
    expect(hunted.stdout).toBe(evaluated.stdout);
    expect([hunted.status, hunted.stderr]).toEqual([
      0,
      summary(samples.length, objects, 30, duplicates, alertLines.length),
    ]);
  });

  it('reports a bucket it cannot read and exits 1', async () => {
    const bucket = `hunt-missing-${randomUUID().slice(0, 8)}`;
    const hunted = await run(['hunt', '--archive', `s3://${bucket}`, ...RANGE], {
      env: { AWS_ENDPOINT_URL_S3: endpoint },
    });
    expect(hunted.status).toBe(1);
    expect(hunted.stdout).toBe('');
    const [problem, last] = hunted.stderr.split('\n');
    expect(problem).toMatch(new RegExp(`^hunt: cannot read the archive s3://${bucket}: NoSuchBucket: `));
    expect(`${last ?? ''}\n`).toBe(summary(0, 0, 0, 0, 0, 1));
  });
});

describe('formatDuration', () => {
  it('says a span in its two largest units, leaving out a zero second unit', () => {
    const cases: Array<[number, string]> = [
      [0, '0s'],
      [-5000, '0s'],
      [5_000, '5s'],
      [725_000, '12m 5s'],
      [61_080_000, '16h 58m'],
      [3 * 86_400_000 + 4 * 3_600_000 + 59_000, '3d 4h'],
      [3 * 86_400_000 + 5 * 60_000, '3d'],
    ];
    for (const [ms, text] of cases) expect(formatDuration(ms), String(ms)).toBe(text);
  });
});
