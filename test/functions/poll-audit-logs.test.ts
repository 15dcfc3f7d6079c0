// The deployed poller as Lambda loads it: configuration at cold start, the admin key from SSM (over
// the wire, fake SSM), the API (fake), the queue (fauxqs) and the cursor (dynalite).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoCursorStore } from '../../lib/ingestion/poller/cursor-store.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createDedupTable,
  createPipelineResources,
  drain,
  eventsOfBody,
  organizationOfBody,
  type PipelineResources,
} from '../support/aws-resources.ts';
import { auditEvent, startFakeAuditApi, type FakeAuditApi } from '../support/fake-audit-api.ts';
import { startFakeSsm } from '../support/fake-ssm.ts';

const KEY = 'sk-admin-FUNCTIONKEY0123456789abcdefgh';
const saved = { ...process.env };
const context = {
  functionName: 'poll',
  awsRequestId: 'r',
  getRemainingTimeInMillis: () => 290_000,
} as unknown as Context;
let api: FakeAuditApi;
let ssm: Awaited<ReturnType<typeof startFakeSsm>>;
let resources: PipelineResources;
let table: string;

beforeAll(async () => {
  api = await startFakeAuditApi(KEY);
  ssm = await startFakeSsm({
    '/oaa/admin-key': KEY,
    '/oaa/wrong-key': 'sk-admin-WRONGWRONG0123456789abcdefgh',
    '/oaa/rotating-key': KEY,
    '/oaa/plain-key': { value: KEY, type: 'String' },
  });
  resources = await createPipelineResources();
  table = await createDedupTable();
});
afterAll(async () => {
  await Promise.all([api.stop(), ssm.stop()]);
});
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

async function load(parameter: string, extra: Record<string, string> = {}) {
  vi.resetModules();
  process.env = {
    ...saved,
    ADMIN_KEY_PARAMETER: parameter,
    QUEUE_URL: resources.queueUrl,
    DEAD_LETTER_QUEUE_URL: resources.dlqUrl,
    CURSOR_TABLE_NAME: table,
    OPENAI_BASE_URL: api.baseUrl,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    // The organization-scoped stream alone, unless a test says otherwise: what most tests look at.
    POLL_TENANT_EVENTS: 'false',
    ...extra,
  };
  return (await import('../../functions/poll-audit-logs.ts')).handler;
}

function capture(): string[] {
  const lines: string[] = [];
  const write = (chunk: string | Uint8Array) => (lines.push(...String(chunk).split('\n').filter(Boolean)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(write);
  vi.spyOn(process.stderr, 'write').mockImplementation(write);
  return lines;
}

describe('functions/poll-audit-logs.ts', () => {
  it('fails at cold start naming a missing variable', async () => {
    vi.resetModules();
    process.env = { ...saved, ADMIN_KEY_PARAMETER: '/x', QUEUE_URL: undefined };
    await expect(import('../../functions/poll-audit-logs.ts')).rejects.toThrow('QUEUE_URL is not set');
  });

  it('enqueues new audit events and resumes from its cursor on the next run', async () => {
    const now = Math.floor(Date.now() / 1000);
    api.events.push(auditEvent('fn-1', now - 300), auditEvent('fn-2', now - 200));
    const handler = await load('/oaa/admin-key');
    const lines = capture();
    await handler({}, context);
    await handler({}, context);
    vi.restoreAllMocks();
    const ids = (await drain(resources.queueUrl, { attributes: false })).flatMap((m) =>
      eventsOfBody(m.Body).map((e) => e.id),
    );
    expect(ids).toEqual(['fn-1', 'fn-2']);
    expect(lines.join('\n')).not.toContain(KEY);
    const finished = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.message === 'poll finished');
    expect(finished.map((r) => r.delivered)).toEqual([2, 0]);
    expect(ssm.calls.filter((c) => c.includes('/oaa/admin-key'))).toHaveLength(1); // cached within its max age
  });

  it('polls tenant-scoped events as a second stream, with tenant_only=true and its own cursor', async () => {
    const now = Math.floor(Date.now() / 1000);
    const table = await createDedupTable();
    api.events.push(
      auditEvent('tn-org', now - 300),
      auditEvent('tn-tenant', now - 299, 'tenant.admin_api_key.created'),
    );
    const handler = await load('/oaa/admin-key', { CURSOR_TABLE_NAME: table, POLL_TENANT_EVENTS: '' });
    const requestsBefore = api.requests.length;
    const lines = capture();
    await handler({}, context);
    vi.restoreAllMocks();
    const ids = (await drain(resources.queueUrl, { attributes: false })).flatMap((m) =>
      eventsOfBody(m.Body).map((e) => e.id),
    );
    // The fake still holds the other tests' events, which a fresh cursor lists again.
    expect(ids.filter((id) => id.startsWith('tn-')).sort()).toEqual(['tn-org', 'tn-tenant']);
    const made = api.requests.slice(requestsBefore).map((params) => params.get('tenant_only'));
    // The organization stream's requests (one per slice of the backfill), then the tenant stream's.
    const firstTenant = made.indexOf('true');
    expect(firstTenant).toBeGreaterThan(0);
    expect(made.slice(0, firstTenant).every((value) => value === null)).toBe(true);
    expect(made.slice(firstTenant).every((value) => value === 'true')).toBe(true);
    const finished = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.message === 'poll finished');
    expect(finished.map((r) => r.stream)).toEqual(['organization', 'tenant']);
    expect(finished[1]?.delivered).toBe(1);
    const dynamodb = new DynamoDBClient({});
    const organizationCursor = await new DynamoCursorStore(dynamodb, table, 'ingest-cursor').load();
    const tenantCursor = await new DynamoCursorStore(dynamodb, table, 'ingest-cursor#@tenant').load();
    // Each stream remembers what it delivered in its own cursor item.
    expect(JSON.stringify(organizationCursor?.seen)).toContain('tn-org');
    expect(JSON.stringify(organizationCursor?.seen)).not.toContain('tn-tenant');
    expect(JSON.stringify(tenantCursor?.seen)).toContain('tn-tenant');
    expect(JSON.stringify(tenantCursor?.seen)).not.toContain('tn-org');
  });

  it('keeps an event it cannot pack in the DLQ with its reason, sends the events around it, and moves on', async () => {
    const now = Math.floor(Date.now() / 1000);
    api.events.push(
      auditEvent('around-1', now - 21),
      { ...auditEvent('huge-1', now - 20), blob: 'x'.repeat(300_000) },
      auditEvent('around-2', now - 19),
    );
    const handler = await load('/oaa/admin-key', { CURSOR_TABLE_NAME: await createDedupTable() });
    const lines = capture();
    await handler({}, context);
    await handler({}, context);
    vi.restoreAllMocks();
    const ids = (await drain(resources.queueUrl, { attributes: false })).flatMap((m) =>
      eventsOfBody(m.Body).map((e) => e.id),
    );
    expect(ids).toEqual(expect.arrayContaining(['around-1', 'around-2']));
    expect(ids).not.toContain('huge-1');
    const letters = (await drain(resources.dlqUrl)).filter((m) => (m.Body ?? '').includes('huge-1'));
    expect(letters).toHaveLength(1);
    expect(letters[0]?.MessageAttributes?.failure_kind?.StringValue).toBe('unpackable-event');
    expect(letters[0]?.MessageAttributes?.failure_reason?.StringValue).toMatch(
      /bytes as JSON; a queue message holds at most/,
    );
    // The cursor moved past it: the second run sends nothing again.
    const finished = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.message === 'poll finished');
    expect(finished).toHaveLength(2);
    expect(finished[1]?.delivered).toBe(0);
  });

  it('keeps working in a warm container after the key is rotated: a 401 reads the parameter again', async () => {
    const now = Math.floor(Date.now() / 1000);
    const handler = await load('/oaa/rotating-key');
    const lines = capture();
    await handler({}, context);
    const rotated = 'sk-admin-ROTATED0123456789abcdefghij';
    ssm.parameters['/oaa/rotating-key'] = rotated;
    api.adminKey = rotated; // OpenAI now refuses the old key
    api.events.push(auditEvent('after-rotation', now - 1));
    try {
      await handler({}, context);
    } finally {
      api.adminKey = KEY;
      vi.restoreAllMocks();
    }
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.filter((r) => r.message === 'poll finished').map((r) => r.delivered)).toEqual([
      expect.any(Number),
      1,
    ]);
    expect(records.some((r) => r.message === 'poll stopped: the admin key is unusable')).toBe(false);
    expect(ssm.calls.filter((c) => c.includes('/oaa/rotating-key'))).toHaveLength(2);
    expect(
      (await drain(resources.queueUrl, { attributes: false })).flatMap((m) => eventsOfBody(m.Body).map((e) => e.id)),
    ).toContain('after-rotation');
    expect(lines.join('\n')).not.toContain('ROTATED0123');
  });

  it('refuses an admin key parameter that is not a SecureString, and alarms', async () => {
    const handler = await load('/oaa/plain-key');
    const lines = capture();
    await expect(handler({}, context)).resolves.toBeUndefined();
    vi.restoreAllMocks();
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => r.message === 'poll stopped: the admin key is unusable')?.error).toBe(
      'the SSM parameter /oaa/plain-key is a String, not a SecureString: recreate it with --type SecureString (docs/ingestion.md)',
    );
    expect(records.find((r) => typeof r._aws === 'object')).toMatchObject({ AuthFailures: 1 });
    expect(lines.join('\n')).not.toContain(KEY);
  });

  it('polls several organizations, each with its key and cursor; one refused key does not stop the others', async () => {
    const now = Math.floor(Date.now() / 1000);
    api.events.push(auditEvent('multi-1', now - 30));
    const organizations = JSON.stringify([
      { id: 'org-wrong', name: 'Wrong', adminKeyParameter: '/oaa/wrong-key' },
      { id: 'org-acme', name: 'Acme', adminKeyParameter: '/oaa/admin-key' },
    ]);
    const multiTable = await createDedupTable();
    const handler = await load('/unused', { ORGANIZATIONS: organizations, CURSOR_TABLE_NAME: multiTable });
    const lines = capture();
    await expect(handler({}, context)).resolves.toBeUndefined();
    vi.restoreAllMocks();
    const messages = await drain(resources.queueUrl, { attributes: false });
    expect(messages.map((m) => organizationOfBody(m.Body))).toEqual(['org-acme']);
    expect(messages.flatMap((m) => eventsOfBody(m.Body).map((e) => e.id))).toContain('multi-1');
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      records.filter((r) => r.message === 'poll stopped: the admin key is unusable').map((r) => r.organization),
    ).toEqual(['org-wrong']);
    expect(records.filter((r) => r.message === 'poll finished').map((r) => r.organization)).toEqual(['org-acme']);
    const cursorKeys = await Promise.all(
      ['ingest-cursor#org-acme', 'ingest-cursor#org-wrong'].map((key) =>
        new DynamoCursorStore(new DynamoDBClient({}), multiTable, key).load(),
      ),
    );
    expect(cursorKeys.map((c) => c?.highWater !== undefined)).toEqual([true, false]);
  });

  it('counts and logs a rejected key without throwing, naming the parameter and not the key', async () => {
    const handler = await load('/oaa/wrong-key');
    const lines = capture();
    await expect(handler({}, context)).resolves.toBeUndefined();
    vi.restoreAllMocks();
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => r.message === 'poll stopped: the admin key is unusable')?.error).toMatch(
      /^OpenAI rejected the admin key \(HTTP 401\)\. Check the SSM parameter \/oaa\/wrong-key/,
    );
    expect(records.find((r) => typeof r._aws === 'object')).toMatchObject({ AuthFailures: 1 });
    expect(lines.join('\n')).not.toContain('WRONGWRONG');
  });
});
