import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../lib/tooling/cli/main.ts';
import { recordingIo } from '../../../support/recording-io.ts';

const elevated = (id: string, actor = `user-${id}`) => ({
  id,
  type: 'api_key.created',
  actor: { type: 'session', session: { user: { id: actor, email: `${actor}@x.com` } } },
  'api_key.created': { id: `key_${id}`, data: { scopes: ['all'] } },
});
const benign = (id: string) => ({ id, type: 'login.succeeded' });

async function evaluate(stdin: string, env: Record<string, string> = {}, options: string[] = []) {
  const rec = recordingIo({ stdin, env });
  const status = await runCli(['evaluate', ...options, '-'], rec.io);
  return { status, ...rec, alerts: rec.lines().map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('evaluate', () => {
  it('prints one JSON line per alert with the documented fields in order', async () => {
    const { status, alerts, stderr } = await evaluate(JSON.stringify(elevated('e1', 'user-1')));
    expect(status).toBe(0);
    expect(stderr()).toBe('');
    expect(alerts).toHaveLength(1);
    expect(Object.keys(alerts[0] ?? {})).toEqual([
      'ruleId',
      'ruleName',
      'eventId',
      'eventType',
      'severity',
      'title',
      'dedupKey',
      'alertContext',
      'eventCount',
    ]);
    expect(alerts[0]).toMatchObject({
      ruleId: 'OpenAI.API.Key.Anomalous.Activity',
      ruleName: 'OpenAI Anomalous API Key Activity',
      eventId: 'e1',
      eventType: 'api_key.created',
      severity: 'HIGH',
      title: 'OpenAI API Key with Elevated Scopes: api_key.created by [user-1@x.com]',
      dedupKey: 'OpenAI.API.Key.Anomalous.Activity:api_key.created:user:user-1',
      eventCount: 1,
    });
  });

  it('alerts once per dedup window, as the pipeline does; --every-match prints every match', async () => {
    const at = (id: string, t: number) => ({ ...elevated(id, 'user-same'), effective_at: t });
    const input = [at('w1', 1_700_000_000), at('w2', 1_700_000_600), at('w3', 1_700_003_600)]
      .map((e) => JSON.stringify(e))
      .join('\n');
    expect((await evaluate(input)).alerts.map((a) => a.eventId)).toEqual(['w1', 'w3']);
    expect((await evaluate(input, {}, ['--every-match'])).alerts.map((a) => a.eventId)).toEqual(['w1', 'w2', 'w3']);
  });

  it('applies thresholds over distinct values: credential stuffing alerts at the fifth source IP, once', async () => {
    const failed = (i: number, ip: string) => ({
      id: `f${i}`,
      type: 'login.failed',
      effective_at: 1_700_000_000 + i,
      actor: { session: { user: { email: 'v@x.com' }, ip_address: ip } },
    });
    const input = [1, 2, 3, 4, 5, 6, 7].map((i) => JSON.stringify(failed(i, `192.0.2.${i === 3 ? 2 : i}`))).join('\n');
    const { alerts } = await evaluate(input);
    expect(alerts.map((a) => [a.ruleId, a.eventId, a.eventCount])).toEqual([['OpenAI.CredentialStuffing', 'f6', 6]]);
  });

  it('masks API-key-shaped secrets in every printed field, the event id and dedup key included', async () => {
    const secret = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789';
    const event = elevated(`evt-${secret}`, `user-${secret}`);
    const { status, alerts, stdout } = await evaluate(JSON.stringify(event));
    expect(status).toBe(0);
    expect(stdout()).not.toContain('AbCdEfGhIjKlMnOp');
    expect(alerts[0]).toMatchObject({
      eventId: 'evt-sk-proj-…6789',
      dedupKey: 'OpenAI.API.Key.Anomalous.Activity:api_key.created:user:user-sk-proj-…6789',
    });
    expect(JSON.stringify(alerts[0]?.alertContext)).toContain('sk-proj-…6789');
  });

  it('escapes C1 controls, bidi controls and line separators in its JSON lines, keeping their values', async () => {
    const hostile = 'e\u009b31m\u202e\u2028\u2029txt';
    const { stdout, alerts } = await evaluate(JSON.stringify(elevated(hostile, `user-${hostile}`)));
    expect(stdout()).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    expect(stdout()).toContain('"eventId":"e\\u009b31m\\u202e\\u2028\\u2029txt"');
    expect(alerts[0]).toMatchObject({ eventId: hostile, title: expect.stringContaining(hostile) as string });
  });

  it('accepts an array, a list page, and JSON Lines of those', async () => {
    const page = { object: 'list', data: [elevated('p1'), benign('p2')], has_more: false };
    const input = [
      JSON.stringify([elevated('a1'), benign('a2')]),
      JSON.stringify(page),
      JSON.stringify(elevated('l3')),
    ].join('\n');
    const { status, alerts } = await evaluate(input);
    expect(status).toBe(0);
    expect(alerts.map((a) => a.eventId)).toEqual(['a1', 'p1', 'l3']);
  });

  it('accepts one pretty-printed document', async () => {
    const { alerts } = await evaluate(JSON.stringify([elevated('x1'), elevated('x2')], null, 2));
    expect(alerts.map((a) => a.eventId)).toEqual(['x1', 'x2']);
  });

  it('reports bad lines and non-events with their line number on stderr, processes the rest, exits 1', async () => {
    const input = [
      JSON.stringify(elevated('g1')),
      '{"id": "broken",',
      JSON.stringify([benign('ok'), { id: 'no-type' }, 'text']),
      JSON.stringify(elevated('g4')),
    ].join('\n');
    const { status, alerts, stderr } = await evaluate(input);
    expect(status).toBe(1);
    expect(alerts.map((a) => a.eventId)).toEqual(['g1', 'g4']);
    const errors = stderr().trim().split('\n');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^evaluate: <stdin>:2: not valid JSON: .*\(column 17\)$/);
    expect(errors[1]).toBe('evaluate: <stdin>:3: [1]: missing required field "type"');
    expect(errors[2]).toBe('evaluate: <stdin>:3: [2]: expected an audit event object, got string');
  });

  it('prints nothing and exits 0 for events that match no rule', async () => {
    const { status, stdout, stderr } = await evaluate(
      [benign('b1'), benign('b2')].map((e) => JSON.stringify(e)).join('\n'),
    );
    expect([status, stdout(), stderr()]).toEqual([0, '', '']);
  });

  it('applies the policy file named in the environment', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'p.json');
    writeFileSync(file, JSON.stringify({ elevatedScopes: [{ exact: 'all', severity: 'CRITICAL' }] }));
    const { alerts } = await evaluate(JSON.stringify(elevated('c1')), { ELEVATED_SCOPE_POLICY_FILE: file });
    expect(alerts[0]?.severity).toBe('CRITICAL');
  });

  it('applies the rules configuration: a suppressed actor is not printed, a pinned severity is', async () => {
    const rules = {
      rules: { 'OpenAI.API.Key.Anomalous.Activity': { severity: 'CRITICAL', suppress: { actorIds: ['user-ci'] } } },
    };
    const input = [elevated('r1', 'user-ci'), elevated('r2', 'user-human')].map((e) => JSON.stringify(e)).join('\n');
    const { alerts } = await evaluate(input, { RULES_CONFIG: JSON.stringify(rules) });
    expect(alerts.map((a) => [a.eventId, a.severity])).toEqual([['r2', 'CRITICAL']]);
  });

  it('exits 2 naming the variable and the JSON path for a bad rules configuration', async () => {
    const { status, stderr } = await evaluate('{}', { RULES_CONFIG: '{"rules": {"Nope": {}}}' });
    expect(status).toBe(2);
    expect(stderr()).toMatch(/^evaluate: invalid rules configuration: RULES_CONFIG: rules\["Nope"\]: unknown rule id/);
  });

  it('exits 2 with a message naming the variable for a bad policy file, before reading input', async () => {
    const { status, stdout, stderr } = await evaluate('{}', { ELEVATED_SCOPE_POLICY_FILE: '/nonexistent/p.json' });
    expect(status).toBe(2);
    expect(stdout()).toBe('');
    expect(stderr()).toMatch(
      /^evaluate: invalid elevated-scope policy: ELEVATED_SCOPE_POLICY_FILE=\/nonexistent\/p\.json: cannot read the policy file: ENOENT/,
    );
  });

  it('refuses to wait on a terminal, and to read standard input twice', async () => {
    const tty = recordingIo({ tty: true });
    expect(await runCli(['evaluate'], tty.io)).toBe(2);
    expect(tty.stderr()).toMatch(/no input: pass a FILE/);
    const twice = recordingIo();
    expect(await runCli(['evaluate', '-', 'x.jsonl', '-'], twice.io)).toBe(2);
    expect(twice.stderr()).toBe('evaluate: standard input ("-") can be read once; see --help\n');
  });

  it('reads several files and directories in order, one stream across them (a window spans files)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const at = (id: string, t: number) => ({ ...elevated(id, 'user-same'), effective_at: t });
    mkdirSync(join(dir, 'events', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'events', 'b.jsonl'), `${JSON.stringify(at('b1', 1_700_000_100))}\n`);
    writeFileSync(join(dir, 'events', 'a.json'), JSON.stringify([at('a1', 1_700_000_000)], null, 2));
    writeFileSync(join(dir, 'events', 'nested', 'c.ndjson'), `${JSON.stringify(elevated('c1', 'user-other'))}\n`);
    writeFileSync(join(dir, 'events', 'notes.txt'), 'not events');
    writeFileSync(join(dir, 'late.jsonl'), `${JSON.stringify(at('late', 1_700_009_000))}\n`);
    const rec = recordingIo();
    const status = await runCli(['evaluate', join(dir, 'late.jsonl'), join(dir, 'events')], rec.io);
    expect([status, rec.stderr()]).toEqual([0, '']);
    // late.jsonl first; then the directory in name order, a.json, b.jsonl (same window as a1), nested/c.ndjson.
    expect(rec.lines().map((line) => (JSON.parse(line) as { eventId: string }).eventId)).toEqual(['late', 'a1', 'c1']);
  });

  it('evaluates the examples directory (no EISDIR), and says so of a directory with no event files', async () => {
    const rec = recordingIo();
    expect(await runCli(['evaluate', join(import.meta.dirname, '../../../../examples/')], rec.io)).toBe(0);
    expect(rec.stderr()).toBe('');
    expect(rec.lines().length).toBeGreaterThan(0);
    const empty = mkdtempSync(join(tmpdir(), 'cli-'));
    const none = recordingIo();
    expect(await runCli(['evaluate', empty], none.io)).toBe(1);
    expect(none.stderr()).toBe(`evaluate: ${empty}: no .json, .jsonl or .ndjson files in this directory\n`);
  });

  it('streams a large input: every alert in input order, problems with their line', async () => {
    // Past the size read whole (8 MiB): JSON Lines read line by line.
    const filler = JSON.stringify({ id: 'f', type: 'project.updated', note: 'x'.repeat(1000) });
    const lines: string[] = [];
    for (let i = 0; i < 9000; i++)
      lines.push(i % 1000 === 0 ? JSON.stringify(elevated(`e${i}`)) : filler.replace('"f"', `"f${i}"`));
    lines.splice(4500, 0, '{"broken":');
    const { status, alerts, stderr } = await evaluate(lines.join('\n'));
    expect(status).toBe(1);
    expect(alerts.map((a) => a.eventId)).toEqual([
      'e0',
      'e1000',
      'e2000',
      'e3000',
      'e4000',
      'e5000',
      'e6000',
      'e7000',
      'e8000',
    ]);
    expect(stderr()).toMatch(/^evaluate: <stdin>:4501: not valid JSON: .*\n$/);
  });

  it('bounds its state with --max-windows: in time order nothing changes; a late repeat is warned of, not hidden', async () => {
    // 1,200 actors, each an alert in its own window, in time order; then the first event again.
    const at = (i: number) => ({ ...elevated(`e${i}`, `user-${i}`), effective_at: 1_700_000_000 + i * 60 });
    const inOrder = Array.from({ length: 1200 }, (_, i) => JSON.stringify(at(i)));
    const bounded = await evaluate(inOrder.join('\n'), {}, ['--max-windows', '1000']);
    expect([bounded.status, bounded.alerts.length, bounded.stderr()]).toEqual([0, 1200, '']);
    const late = await evaluate([...inOrder, JSON.stringify(at(0))].join('\n'), {}, ['--max-windows', '1000']);
    expect(late.alerts.map((a) => a.eventId).slice(1199)).toEqual(['e1199', 'e0']);
    expect(late.stderr()).toMatch(
      /^evaluate: warning: 1 match, correlation step or baseline sighting came later than the state kept \(\d+ dedup windows, 0 correlation keys and 0 baseline actors forgotten early to bound memory\): .*raise --max-windows/,
    );
    expect(late.status).toBe(0);
    // With the default limit the repeat is recognised.
    expect((await evaluate([...inOrder, JSON.stringify(at(0))].join('\n'))).alerts).toHaveLength(1200);
  });

  it('refuses a state limit that is not a whole number of at least 1000', async () => {
    for (const [option, value] of [
      ['--max-windows', '999'],
      ['--max-correlation-records', 'lots'],
      ['--max-windows', '1e3.5'],
      ['--max-baseline-entries', '10'],
    ]) {
      const { status, stderr } = await evaluate('', {}, [option ?? '', value ?? '']);
      expect([status, stderr()]).toEqual([
        2,
        `evaluate: ${option} must be an integer of at least 1000, got "${value}"\n`,
      ]);
    }
  });

  it('reports an unreadable file', async () => {
    const rec = recordingIo();
    expect(await runCli(['evaluate', '/nonexistent/events.jsonl'], rec.io)).toBe(1);
    expect(rec.stderr()).toMatch(/^evaluate: cannot read \/nonexistent\/events\.jsonl: ENOENT/);
  });

  it('escapes hostile event ids and text in its messages', async () => {
    const input = `${JSON.stringify([{ id: 'x', type: 5 }])}\n\u001b]0;pwn\u0007\n`;
    const { stderr } = await evaluate(input);
    expect(stderr()).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });
});
