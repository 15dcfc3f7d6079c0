// `openai-audit-alerts poll --once` as a user runs it, against the local fake of the list endpoint.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvent, startFakeAuditApi, type FakeAuditApi } from '../support/fake-audit-api.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/openai-audit-alerts.js');
const KEY = 'sk-admin-CLIKEY0123456789abcdefghijkl';
let api: FakeAuditApi;

beforeAll(async () => {
  api = await startFakeAuditApi(KEY);
  const now = Math.floor(Date.now() / 1000);
  api.events.push(
    auditEvent('old', now - 48 * 3600),
    auditEvent('second', now - 600),
    auditEvent('first', now - 7200),
    auditEvent('third', now - 5),
  );
});
afterAll(async () => {
  await api.stop();
});

function poll(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Asynchronous: the fake API answers from this very process.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'poll', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('poll --once', () => {
  it('--dry-run prints the last 24 hours as JSON Lines, oldest first, each once', async () => {
    const { status, stdout, stderr } = await poll(['--once', '--dry-run'], {
      OPENAI_ADMIN_KEY: KEY,
      OPENAI_BASE_URL: api.baseUrl,
    });
    expect(status).toBe(0);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { id: string }).id),
    ).toEqual(['first', 'second', 'third']);
    // Both streams, each listed, sliced and summed up: the organization's events, then the tenant's.
    const progress = stderr.trim().split('\n');
    const tenantStart = progress.findIndex((line) => line.startsWith('poll: [tenant] listing'));
    const [organization, tenant] = [progress.slice(0, tenantStart), progress.slice(tenantStart)];
    expect(organization[0]).toBe(
      `poll: [organization] listing ${api.baseUrl}/organization/audit_logs (the last 24 hours)`,
    );
    expect(tenant[0]).toBe(
      `poll: [tenant] listing ${api.baseUrl}/organization/audit_logs?tenant_only=true (the last 24 hours)`,
    );
    for (const [stream, lines] of [
      ['organization', organization],
      ['tenant', tenant],
    ] as const) {
      const slice = new RegExp(
        `^poll: \\[${stream}\\] \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ to \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ: \\d+ listed in \\d+ page\\(s\\), \\d+ printed$`,
      );
      expect(lines.slice(1, -1).every((line) => slice.test(line))).toBe(true);
      expect(lines.length).toBeGreaterThanOrEqual(26); // 24 hourly slices and a bit, then the summary
    }
    expect(organization.at(-1)).toBe(
      'poll: [organization] 3 event(s) printed, 3 listed, 0 already delivered, 0 invalid, 0 rejected',
    );
    expect(tenant.at(-1)).toBe(
      'poll: [tenant] 0 event(s) printed, 0 listed, 0 already delivered, 0 invalid, 0 rejected',
    );
    expect(stderr + stdout).not.toContain(KEY);
  });

  it('--dry-run prints tenant-scoped events after the organization-scoped ones; --stream picks one', async () => {
    const both = await startFakeAuditApi(KEY);
    try {
      const now = Math.floor(Date.now() / 1000);
      both.events.push(
        auditEvent('tenant-1', now - 120, 'tenant.admin_api_key.created'),
        auditEvent('org-1', now - 60, 'api_key.created'),
      );
      const env = { OPENAI_ADMIN_KEY: KEY, OPENAI_BASE_URL: both.baseUrl };
      const ids = (stdout: string) =>
        stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { id: string }).id);
      expect(ids((await poll(['--once', '--dry-run'], env)).stdout)).toEqual(['org-1', 'tenant-1']);
      const tenantOnly = await poll(['--once', '--dry-run', '--stream', 'tenant'], env);
      expect(ids(tenantOnly.stdout)).toEqual(['tenant-1']);
      expect(tenantOnly.stderr.split('\n')[0]).toMatch(/^poll: listing .*\?tenant_only=true /);
      expect(ids((await poll(['--once', '--dry-run', '--stream', 'organization'], env)).stdout)).toEqual(['org-1']);
      const bad = await poll(['--once', '--dry-run', '--stream', 'tenants'], env);
      expect([bad.status, bad.stderr]).toEqual([
        2,
        'poll: --stream must be organization, tenant or both, got "tenants"\n',
      ]);
    } finally {
      await both.stop();
    }
  });

  it('--dry-run escapes C1 controls, bidi controls and line separators, keeping the values', async () => {
    const hostile = await startFakeAuditApi(KEY);
    try {
      const event = auditEvent('h\u009b31m\u202e\u2028\u2029', Math.floor(Date.now() / 1000) - 60);
      hostile.events.push(event);
      const { status, stdout } = await poll(['--once', '--dry-run'], {
        OPENAI_ADMIN_KEY: KEY,
        OPENAI_BASE_URL: hostile.baseUrl,
      });
      expect(status).toBe(0);
      expect(stdout).toContain('"id":"h\\u009b31m\\u202e\\u2028\\u2029"');
      expect(stdout).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2028\u2029]/);
      expect(JSON.parse(stdout)).toEqual(event);
    } finally {
      await hostile.stop();
    }
  });

  it('--since starts where asked', async () => {
    const since = new Date((Math.floor(Date.now() / 1000) - 50 * 3600) * 1000).toISOString();
    const { stdout } = await poll(['--once', '--dry-run', '--since', since], {
      OPENAI_ADMIN_KEY: KEY,
      OPENAI_BASE_URL: api.baseUrl,
    });
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { id: string }).id),
    ).toEqual(['old', 'first', 'second', 'third']);
  });

  it('exits 1 with an actionable message when the key is refused, without echoing it', async () => {
    const wrong = 'sk-admin-WRONG0123456789abcdefghijklmn';
    const { status, stderr } = await poll(['--once', '--dry-run'], {
      OPENAI_ADMIN_KEY: wrong,
      OPENAI_BASE_URL: api.baseUrl,
    });
    expect(status).toBe(1);
    expect(stderr.trim().split('\n').at(-1)).toMatch(
      /^poll: \[organization\] OpenAI rejected the admin key \(HTTP 401\)\. Check OPENAI_ADMIN_KEY: it must hold an organization Admin API key/,
    );
    // The same key would be refused for the tenant stream: it is not tried.
    expect(stderr).not.toContain('[tenant]');
    expect(stderr).not.toContain('WRONG0123');
  });

  it('reports each retry on stderr with the real cause of a network failure (a refused connection)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { status, stderr } = await poll(['--once', '--dry-run', '--max-attempts', '2'], {
      OPENAI_ADMIN_KEY: KEY,
      OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
    });
    expect(status).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines[1]).toMatch(
      new RegExp(
        `^poll: attempt 1 of 2 failed: network error: connection refused to 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\); retrying in \\d+\\.\\ds$`,
      ),
    );
    // Each stream tried, each failure said.
    const failed = (stream: string) =>
      `poll: [${stream}] the audit log API at 127.0.0.1:${port} failed 2 times (last: network error: connection refused to 127.0.0.1:${port} (ECONNREFUSED))`;
    expect(lines.filter((line) => line.includes('failed 2 times'))).toEqual([failed('organization'), failed('tenant')]);
  });

  it('refuses plain http to anything but 127.0.0.1 (the key would travel in clear)', async () => {
    const { status, stderr } = await poll(['--once', '--dry-run'], {
      OPENAI_ADMIN_KEY: KEY,
      OPENAI_BASE_URL: 'http://api.openai.com/v1',
    });
    expect(status).toBe(2);
    expect(stderr).toBe(
      'poll: OPENAI_BASE_URL must use https:// (plain http:// only to 127.0.0.1, for tests), got "http://api.openai.com/v1"\n',
    );
  });

  it.each([
    [['--once', '--dry-run'], {}, /^poll: OPENAI_ADMIN_KEY is not set/],
    [['--once'], { OPENAI_ADMIN_KEY: KEY }, /^poll: AUDIT_EVENTS_QUEUE_URL is not set/],
    [['--dry-run'], { OPENAI_ADMIN_KEY: KEY }, /^poll: only single runs are supported here: pass --once/],
    [
      ['--once', '--dry-run', '--max-attempts', '0'],
      { OPENAI_ADMIN_KEY: KEY },
      /^poll: --max-attempts must be an integer from 1 to 20, got "0"/,
    ],
    [
      ['--once', '--dry-run', '--organization', 'org a:Acme'],
      { OPENAI_ADMIN_KEY: KEY },
      /^poll: --organization: the id must be 1-64 letters/,
    ],
    [
      ['--once', '--dry-run', '--since', 'yesterday'],
      { OPENAI_ADMIN_KEY: KEY },
      /^poll: --since must be an ISO-8601 time/,
    ],
  ])('exits 2 for %j with a clear message', async (args, env, message) => {
    const { status, stderr } = await poll(args, env);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
  });
});
