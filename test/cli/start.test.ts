// `npm start` as a user runs it: a real process that starts its own emulators.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  SAMPLE_EVENTS,
  catalogAlertingRuleIds,
  expectedDeliveries,
  expectedOutcome,
} from '../support/catalog-expectations.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/openai-audit-alerts.js');

function start(args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'start', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `start --keep-running` as a child process, and a way to wait for its output. */
function keepRunning() {
  const child = spawn(process.execPath, [bin, 'start', '--keep-running'], { cwd: root });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  // However slow the machine: until the output shows it, or the process has ended.
  const waitFor = async (pattern: RegExp) => {
    while (!pattern.test(out) && !exited) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(out).toMatch(pattern);
  };
  return { child, output: () => out, waitFor };
}

describe('start (npm start)', () => {
  // What the registered rules make of the sample events (windows, thresholds, correlations), so a
  // new rule or sample changes the expectation, not this test.
  const expected = expectedOutcome(SAMPLE_EVENTS);
  const deliveries = expectedDeliveries(expected.alerts);
  const sorted = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();

  it('runs the sample set through the pipeline and prints one alert document per line, then the summary', () => {
    const { status, stdout, stderr } = start(['--json']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const alerts = lines.slice(0, -1) as Array<{
      eventId: string | null;
      ruleId: string;
      severity: string;
      eventCount: number;
      alertId: string;
      version: number;
    }>;
    expect(sorted(alerts.map((a) => [a.eventId, a.ruleId, a.severity, a.eventCount]))).toEqual(
      sorted(expected.alerts.map((a) => [a.eventId, a.ruleId, a.severity, a.eventCount])),
    );
    // Every alerting rule of the catalog fires on them.
    const fired = new Set(alerts.map((a) => a.ruleId));
    expect(catalogAlertingRuleIds().filter((id) => !fired.has(id))).toEqual([]);
    // In the order of their events in the input, whatever order the queues gave them back in.
    expect(alerts.map((a) => a.eventId)).toEqual(expected.alerts.map((a) => a.eventId));
    expect(alerts.every((a) => a.version === 1 && /^[0-9a-f]{32}$/.test(a.alertId))).toBe(true);
    expect(lines.at(-1)).toEqual({
      summary: {
        events: expected.events,
        notSent: 0,
        matched: expect.any(Number) as number,
        // Every match has one outcome; a match alerting or escalating publishes one alert.
        matches: expected.alerts.length + expected.deduplicated + expected.belowThreshold,
        matchesAlerted: expected.alerts.length,
        alerts: expected.alerts.length,
        escalated: expected.alerts.filter((a) => a.escalation).length,
        suppressed: expected.deduplicated,
        belowThreshold: expected.belowThreshold,
        suppressedByRules: 0,
        redelivered: 0,
        signals: expected.signals,
        correlations: expected.correlations,
        newValues: expected.novelties,
        failed: 0,
        ruleErrors: 0,
        dlq: 0,
        delivered: deliveries,
        deliveryRetries: 0,
        deliveryDlq: 0,
        // Every event and every alert, in the emulator's S3.
        archived: { events: expected.events, alerts: expected.alerts.length, failed: 0 },
      },
    });
  });

  it('keeps the archive in --archive-dir: hunt over it prints the alerts evaluate prints of the same events, and alerts lists what was sent', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'start-archive-')), 'arch');
    const { status, stdout } = start(['--json', '--archive-dir', dir]);
    expect(status).toBe(0);
    const sent = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { alertId?: string; summary?: { archived: unknown } });
    expect(sent.at(-1)?.summary?.archived).toEqual({
      events: expected.events,
      alerts: expected.alerts.length,
      failed: 0,
    });
    const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
    const range = ['--from', '2024-11-01', '--to', '2024-12-01'];
    const hunted = cli('hunt', '--archive', dir, ...range);
    const evaluated = cli('evaluate', SAMPLE_EVENTS);
    expect([hunted.status, evaluated.status]).toEqual([0, 0]);
    const lines = (text: string) => text.trim().split('\n').sort();
    expect(lines(hunted.stdout)).toEqual(lines(evaluated.stdout));
    expect(lines(hunted.stdout)).toHaveLength(expected.alerts.length);
    // Alerts are kept by the day they were created: today.
    const day = 24 * 3600 * 1000;
    const today = [
      '--from',
      new Date(Date.now() - day).toISOString(),
      '--to',
      new Date(Date.now() + day).toISOString(),
    ];
    const listed = cli('alerts', '--archive', dir, ...today, '--json');
    expect(listed.status).toBe(0);
    const ids = (rows: Array<{ alertId?: string }>) => rows.map((row) => row.alertId).sort();
    expect(ids(lines(listed.stdout).map((line) => JSON.parse(line) as { alertId?: string }))).toEqual(
      ids(sent.filter((row) => row.alertId !== undefined)),
    );
  });

  it('gives clean JSON Lines through npm with the README command (npm start --silent -- --json)', () => {
    // npm prints its "> openai-audit-alerts@... start" banner on stdout unless --silent.
    const result = spawnSync('npm', ['start', '--silent', '--', '--json'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.map((line) => Object.keys(JSON.parse(line) as object)[0])).toEqual([
      ...expected.alerts.map(() => 'version'),
      'summary',
    ]);
  });

  it('prints readable alerts by default, each with what its destinations received, routed by severity', () => {
    const { status, stdout } = start([]);
    expect(status).toBe(0);
    expect(stdout).toContain(
      'HIGH      OpenAI API Key with Elevated Scopes: api_key.updated by [mallory@contractor.example]',
    );
    expect(stdout).toContain(
      'actor mallory@contractor.example (user-mallory) · key key_ops_admin · elevated scopes all',
    );
    expect(stdout).toContain('source 198.51.100.7 (Bucharest, RO) · event audit_log-sample-0003');
    expect(stdout).toContain('actor victor@example.com · 5 failed logins from 5 source(s)');
    const lines = stdout.split('\n');
    // The first HIGH alert reaches all three; MEDIUM alerts skip PagerDuty (it takes HIGH and above).
    const high = lines.findIndex((l) => l.startsWith('HIGH      OpenAI API Key'));
    const alertId = /alert ([0-9a-f]{32})$/.exec(lines[high + 2] ?? '')?.[1] ?? 'missing';
    expect(lines.slice(high + 3, high + 6)).toEqual([
      `          -> pagerduty  202  dedup_key ${alertId} · severity error · "HIGH: OpenAI API Key with Elevated Scopes: api_key.updated by [mallory@contractor.example]"`,
      '          -> slack      200  4 blocks · "HIGH: OpenAI API Key with Elevated Scopes: api_key.updated by [mallory@contractor.example]"',
      `          -> webhook    204  webhook-id ${alertId} · alert.created · signature verified`,
    ]);
    expect(lines.filter((l) => l.includes('-> pagerduty  202'))).toHaveLength(deliveries.pagerduty);
    expect(lines.filter((l) => l.includes('-> slack      200'))).toHaveLength(deliveries.slack);
    expect(lines.filter((l) => l.includes('-> webhook    204') && l.endsWith('signature verified'))).toHaveLength(
      deliveries.webhook,
    );
    // Every match not alerted is shown where its event is, with what became of it.
    expect(lines.filter((l) => l.startsWith('          suppressed       '))).toHaveLength(expected.deduplicated);
    expect(lines.filter((l) => l.startsWith('          below threshold  '))).toHaveLength(expected.belowThreshold);
    const { correlations } = expected;
    expect(lines.slice(-6)).toEqual([
      `delivered: pagerduty ${deliveries.pagerduty}, slack ${deliveries.slack}, webhook ${deliveries.webhook} (0 retried, 0 in the delivery DLQ)`,
      expect.stringMatching(
        new RegExp(
          `^${expected.events} events, \\d+ matched an alerting rule, ${expected.signals} signals recorded, ${correlations} correlation\\(s\\) completed, ${expected.novelties} first-seen sighting\\(s\\)$`,
        ),
      ) as string,
      `${expected.alerts.length + expected.deduplicated + expected.belowThreshold} matches: ${expected.alerts.length} alerted, ${expected.deduplicated} suppressed in an alerted window, ${expected.belowThreshold} below a threshold, 0 suppressed by the rules configuration, 0 redelivered`,
      `${expected.alerts.length} alerts (0 escalations); 0 records failed, 0 rule errors, 0 in the DLQ`,
      `archived: ${expected.events} events, ${expected.alerts.length} alerts (0 event writes failed)`,
      '',
    ]);
  });

  it('prints every request the destinations received with --payloads', () => {
    const { status, stdout } = start(['--json', '--payloads']);
    expect(status).toBe(0);
    const received = stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            delivery?: {
              destination: string;
              answer: number;
              headers: Record<string, string>;
              body: Record<string, unknown>;
            };
          },
      )
      .flatMap((l) => (l.delivery ? [l.delivery] : []));
    expect(received.map((d) => d.destination).sort()).toEqual([
      ...Array<string>(deliveries.pagerduty).fill('pagerduty'),
      ...Array<string>(deliveries.slack).fill('slack'),
      ...Array<string>(deliveries.webhook).fill('webhook'),
    ]);
    const pagerDuty = received.find((d) => d.destination === 'pagerduty');
    expect(pagerDuty?.body).toMatchObject({
      event_action: 'trigger',
      payload: { source: 'OpenAI organization audit log' },
    });
    const webhook = received.find((d) => d.destination === 'webhook');
    expect(webhook?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('exits 2 naming the variable for a bad rules configuration or policy, before starting anything', () => {
    const result = spawnSync(process.execPath, [bin, 'start'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RULES_CONFIG: '{"rules": {"Nope": {}}}' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^start: (configuration error: )?invalid rules configuration: RULES_CONFIG: rules\["Nope"\]: unknown rule id/,
    );
  });

  it('runs the detections of a rules folder beside the built-in rules (--rules), and stops at one that does not compile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'start-rules-'));
    writeFileSync(
      join(dir, 'scim.yml'),
      readFileSync(join(root, 'test/fixtures/own-rules/identity/scim-disabled.yml')),
    );
    const events = join(dir, 'events.jsonl');
    const scimDisabled = {
      id: 'audit_log-own-1',
      type: 'scim.disabled',
      effective_at: 1_763_900_000,
      actor: { type: 'session', session: { user: { id: 'user-9', email: 'ops@example.com' } } },
      'scim.disabled': { id: 'scim-config-1' },
    };
    writeFileSync(events, `${JSON.stringify(scimDisabled)}\n`);
    const { status, stdout, stderr } = start(['--rules', dir, '--events', events, '--json']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const alerts = stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as { ruleId: string; title: string });
    expect(alerts.map((a) => [a.ruleId, a.title]).sort()).toEqual(
      [
        ['Custom.OpenAI.SCIM.Disabled', 'OpenAI SCIM Disabled by [ops@example.com]'],
        ['OpenAI.SCIM.Configuration.Change', 'OpenAI SCIM Disabled by [ops@example.com]'],
      ].sort(),
    );
    writeFileSync(join(dir, 'bad.yml'), 'AnalysisType: rule\nRuleID: Own.Bad\n');
    const bad = start(['--rules', dir, '--events', events]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^start: configuration error: .*bad\.yml:\d+: /);
  });

  it('names file and line of bad input, sends the good events, completes, and exits 1 as evaluate does', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'start-')), 'events.jsonl');
    const good = {
      id: 'g1',
      type: 'api_key.updated',
      actor: { session: { user: { id: 'u1' } } },
      'api_key.updated': { changes_requested: { scopes: ['admin'] } },
    };
    writeFileSync(file, `${JSON.stringify(good)}\n{broken\n${JSON.stringify([{ id: 'no-type' }])}\n`);
    const { status, stdout, stderr } = start(['--events', file, '--json']);
    expect(status).toBe(1);
    expect(stderr).toContain(`start: ${file}:2: not valid JSON: `);
    expect(stderr).toContain(`start: ${file}:3: [0]: missing required field "type" (not sent)`);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { eventId?: string; summary?: unknown });
    expect(lines.map((l) => l.eventId ?? 'summary')).toEqual(['g1', 'summary']);
    expect(lines[1]?.summary).toMatchObject({
      events: 1,
      notSent: 2,
      matched: 1,
      alerts: 1,
      escalated: 0,
      suppressed: 0,
      failed: 0,
      dlq: 0,
    });
  });

  it('--json escapes C1 controls, bidi controls and line separators in alert documents, keeping the values', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'start-')), 'hostile.jsonl');
    const actor = 'u\u009b31m\u202e\u2028\u2029x';
    const event = {
      id: 'h1',
      type: 'api_key.updated',
      actor: { session: { user: { id: actor } } },
      'api_key.updated': { changes_requested: { scopes: ['admin'] } },
    };
    writeFileSync(file, `${JSON.stringify(event)}\n`);
    const { status, stdout } = start(['--events', file, '--json']);
    expect(status).toBe(0);
    expect(stdout).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2028\u2029]/);
    expect(stdout).toContain('u\\u009b31m\\u202e\\u2028\\u2029x');
    const [alert] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { title?: string; alertContext?: { actor_id?: string } });
    expect(alert?.alertContext?.actor_id).toBe(actor);
  });

  it('reports an event too deep or too large to send, and alerts on the rest (no internal error)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'start-')), 'hostile.jsonl');
    const good = {
      id: 'ok-1',
      type: 'api_key.created',
      actor: { session: { user: { id: 'u1' } } },
      'api_key.created': { data: { scopes: ['all'] } },
    };
    const deep = `{"id":"deep-1","type":"api_key.created","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const huge = JSON.stringify({ id: 'huge-1', type: 'api_key.created', pad: 'y'.repeat(18_000_000) });
    writeFileSync(file, `${deep}\n${huge}\n${JSON.stringify(good)}\n`);
    const { status, stdout, stderr } = start(['--events', file]);
    expect(status).toBe(1);
    expect(stderr).toContain(
      `start: ${file}: event "deep-1" not sent: the event nests objects and arrays deeper than 64 levels`,
    );
    expect(stderr).toMatch(/event "huge-1" not sent: the event is 18000\d{3} bytes as JSON/);
    expect(stdout).toContain('OpenAI API Key with Elevated Scopes: api_key.created by [u1]');
    expect(stdout.trim().split('\n').slice(-4)).toEqual([
      '1 events, 2 input item(s) not sent (see above), 1 matched an alerting rule, 0 signals recorded, 0 correlation(s) completed, 0 first-seen sighting(s)',
      '1 matches: 1 alerted, 0 suppressed in an alerted window, 0 below a threshold, 0 suppressed by the rules configuration, 0 redelivered',
      '1 alerts (0 escalations); 0 records failed, 0 rule errors, 0 in the DLQ',
      'archived: 1 events, 1 alerts (0 event writes failed)',
    ]);
  });

  it('packs large events within SQS limits (twelve events of 150 KB: ten in one message would pass 1 MiB)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'start-')), 'big.jsonl');
    const big = (i: number) => ({
      id: `big-${i}`,
      type: 'api_key.created',
      actor: { session: { user: { id: `u${i}` } } },
      'api_key.created': { data: { scopes: ['all'] }, pad: 'x'.repeat(150_000) },
    });
    writeFileSync(file, `${Array.from({ length: 12 }, (_, i) => JSON.stringify(big(i))).join('\n')}\n`);
    const { status, stdout } = start(['--events', file, '--json']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
      summary: { events: 12, matched: 12, alerts: 12, escalated: 0, suppressed: 0, failed: 0, dlq: 0, deliveryDlq: 0 },
    });
  });

  it('exits 1 with a clear message for an unreadable file', () => {
    const { status, stderr } = start(['--events', '/nonexistent/events.jsonl']);
    expect(status).toBe(1);
    expect(stderr).toMatch(/^start: cannot read \/nonexistent\/events\.jsonl: ENOENT/);
  });

  it('keeps running for events sent from outside, and stops cleanly on Ctrl-C', async () => {
    const { child, output, waitFor } = keepRunning();
    await waitFor(/Ctrl-C stops/);
    await waitFor(new RegExp(`event ${expected.alerts.at(-1)?.eventId ?? 'none'}`));
    const queueUrl = /queue URL: +(\S+)/.exec(output())?.[1] ?? '';
    const endpoint = /SQS, SNS: +(\S+)/.exec(output())?.[1] ?? '';
    // As the AWS CLI does: the endpoint given, the queue URL as a parameter.
    const sqs = new SQSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      useQueueUrlAsEndpoint: false,
    });
    const event = {
      id: 'outside-1',
      type: 'api_key.created',
      actor: { session: { user: { id: 'u-out', email: 'out@example.com' } } },
      'api_key.created': { data: { scopes: ['all'] } },
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
    await waitFor(/by \[out@example\.com\]/);
    // Sent again: not alerted twice, and shown as it happens.
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
    await waitFor(
      /redelivered +OpenAI\.API\.Key\.Anomalous\.Activity · event outside-1 · already counted in its window/,
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const summary = output().trim().split('\n').slice(-4);
    expect(summary[0]).toMatch(new RegExp(`^${expected.events + 2} events, `));
    expect(summary[1]).toMatch(/ 1 redelivered$/);
    expect(summary[2]).toMatch(new RegExp(`^${expected.alerts.length + 1} alerts `));
  });

  it('serves the webhook on 127.0.0.1 and prints a curl command whose signature is valid', async () => {
    const { child, output, waitFor } = keepRunning();
    await waitFor(/--data-binary @'[^']+'\n(.|\n)*Bearer/);
    // The printed command, taken apart as a shell would: URL, -H headers, the body file.
    const command = /(curl -sS (\S+) -H 'content-type: application\/json' \\\n(?:.|\n)*?--data-binary @'([^']+)')/.exec(
      output(),
    );
    const [, text = '', url = '', file = ''] = command ?? [];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/audit-events$/);
    const headers = Object.fromEntries(
      [...text.matchAll(/-H '([^:]+): ([^']+)'/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    expect(Object.keys(headers).sort()).toEqual([
      'content-type',
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ]);
    const send = () => fetch(url, { method: 'POST', headers, body: readFileSync(file) });
    const first = await send();
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ accepted: 1, replayed: false });
    expect(await (await send()).json()).toMatchObject({ accepted: 1, replayed: true });
    await waitFor(/by \[deploy-test@example\.com\]/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // The sample events and the webhook's one event, enqueued once although sent twice.
    expect(output().trim().split('\n').at(-4)).toMatch(new RegExp(`^${expected.events + 1} events, `));
  });
});
