// The poller against a local fake of the list endpoint, with the real queue (fauxqs) and the cursor
// in DynamoDB (dynalite): every event delivered exactly once, oldest first, across many runs.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staticSecret } from '../../../../lib/ingestion/parameters/secure-parameter.ts';
import { AuditLogClient } from '../../../../lib/ingestion/poller/audit-log-client.ts';
import { DynamoCursorStore } from '../../../../lib/ingestion/poller/cursor-store.ts';
import { AdminKeyRejectedError, AuditLogUnavailableError } from '../../../../lib/ingestion/poller/errors.ts';
import { pollAuditLogs, type PollOptions } from '../../../../lib/ingestion/poller/poll.ts';
import { enqueueEvents } from '../../../../lib/ingestion/packing/enqueue-events.ts';
import { DEFAULT_ORGANIZATION } from '../../../../lib/ingestion/packing/organization.ts';
import {
  createDedupTable,
  createPipelineResources,
  drain,
  eventsOfBody,
  type PipelineResources,
} from '../../../support/aws-resources.ts';
import { auditEvent, startFakeAuditApi, type FakeAuditApi } from '../../../support/fake-audit-api.ts';

const KEY = 'sk-admin-TESTKEY0123456789abcdefghij';
const NOW = 1_800_000_000;
const OPTIONS: PollOptions = { overlapSeconds: 600, backfillSeconds: 24 * 3600, sliceSeconds: 3600 };

let api: FakeAuditApi;
let resources: PipelineResources;
let table: string;
let sleeps: number[];

beforeEach(async () => {
  api = await startFakeAuditApi(KEY);
  resources = await createPipelineResources();
  table = await createDedupTable();
  sleeps = [];
});
afterEach(async () => {
  await api.stop();
});

function deps(now: number, options: { remainingMs?: () => number; key?: string } = {}) {
  const sqs = new SQSClient({});
  return {
    client: new AuditLogClient({
      baseUrl: api.baseUrl,
      adminKey: staticSecret(options.key ?? KEY, 'test'),
      keySource: 'the SSM parameter /test/admin-key',
      sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
      random: () => 0.5,
    }),
    cursor: new DynamoCursorStore(new DynamoDBClient({}), table, 'ingest-cursor'),
    deliver: async (events: readonly object[]) => ({
      rejected: (
        await enqueueEvents({ sqs, queueUrl: resources.queueUrl }, events, {
          organization: DEFAULT_ORGANIZATION,
          source: 'poller',
        })
      ).rejected.length,
    }),
    clock: () => now,
    remainingMs: options.remainingMs ?? (() => 60_000),
  };
}

async function queued(): Promise<string[]> {
  const messages = await drain(resources.queueUrl, { attributes: false });
  return messages.flatMap((m) => eventsOfBody(m.Body).map((e) => e.id));
}

describe('pollAuditLogs', () => {
  it('backfills the horizon on the first run, oldest first, several events per message', async () => {
    api.events.push(
      auditEvent('too-old', NOW - 25 * 3600),
      auditEvent('b', NOW - 3600),
      auditEvent('a', NOW - 7200),
      auditEvent('c', NOW - 10),
    );
    const result = await pollAuditLogs(deps(NOW), OPTIONS);
    expect(result).toMatchObject({ complete: true, delivered: 3, highWater: NOW });
    const messages = await drain(resources.queueUrl, { attributes: false });
    expect(messages.length).toBeLessThan(3); // packed: one message per time slice here, not one per event
    expect(messages.flatMap((m) => eventsOfBody(m.Body).map((e) => e.id))).toEqual(['a', 'b', 'c']);
  });

  it('delivers every event exactly once across many runs, late arrivals within the overlap included', async () => {
    api.events.push(auditEvent('e1', NOW - 100), auditEvent('e2', NOW - 50));
    await pollAuditLogs(deps(NOW), OPTIONS);
    expect(await queued()).toEqual(['e1', 'e2']);
    // Later: new events, and one that happened before the last run but shows up only now.
    api.events.push(auditEvent('late', NOW - 70), auditEvent('e3', NOW + 30));
    await pollAuditLogs(deps(NOW + 60), OPTIONS);
    expect(await queued()).toEqual(['late', 'e3']);
    for (let i = 0; i < 5; i++) await pollAuditLogs(deps(NOW + 120 + i * 60), OPTIONS);
    expect(await queued()).toEqual([]);
    api.events.push(auditEvent('e4', NOW + 400));
    await pollAuditLogs(deps(NOW + 500), OPTIONS);
    expect(await queued()).toEqual(['e4']);
  });

  it('pages through many events with the same timestamp, each once', async () => {
    for (let i = 0; i < 250; i++) api.events.push(auditEvent(`same-${String(i).padStart(3, '0')}`, NOW - 30));
    const result = await pollAuditLogs(deps(NOW), OPTIONS);
    expect(result.delivered).toBe(250);
    const ids = await queued();
    expect(new Set(ids).size).toBe(250);
    expect(ids).toEqual([...ids].sort());
    expect(api.requests.filter((r) => r.get('after') !== null).length).toBeGreaterThanOrEqual(2);
    expect(api.requests.every((r) => r.get('limit') === '100')).toBe(true);
  });

  it('stops cleanly before the deadline and resumes at the cursor, still exactly once', async () => {
    for (let h = 0; h < 6; h++) api.events.push(auditEvent(`h${h}`, NOW - (6 - h) * 3600 + 5));
    let budget = 3; // three requests fit in this run
    const first = await pollAuditLogs(deps(NOW, { remainingMs: () => (budget-- > 0 ? 60_000 : 1_000) }), {
      ...OPTIONS,
      backfillSeconds: 7 * 3600,
    });
    expect(first.complete).toBe(false);
    const sentFirst = await queued();
    expect(sentFirst.length).toBeGreaterThan(0);
    expect(sentFirst.length).toBeLessThan(6);
    const second = await pollAuditLogs(deps(NOW + 60), OPTIONS);
    expect(second.complete).toBe(true);
    expect([...sentFirst, ...(await queued())]).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h5']);
  });

  it('waits as Retry-After says on 429, and backs off on 500', async () => {
    api.events.push(auditEvent('r1', NOW - 10));
    api.faults.push({ status: 429, headers: { 'retry-after': '7' } }, { status: 500 }, { status: 503 });
    const result = await pollAuditLogs(deps(NOW), { ...OPTIONS, backfillSeconds: 60 });
    expect(result.delivered).toBe(1);
    expect(sleeps).toEqual([7000, 500, 1000]); // Retry-After, then full jitter (random 0.5) of 1 s and 2 s
  });

  it('gives up with a clear error when the API keeps failing, without moving the cursor', async () => {
    for (let i = 0; i < 10; i++) api.faults.push({ status: 500 });
    await expect(pollAuditLogs(deps(NOW), OPTIONS)).rejects.toThrow(AuditLogUnavailableError);
    expect(await new DynamoCursorStore(new DynamoDBClient({}), table, 'ingest-cursor').load()).toBeUndefined();
  });

  it('stops at once on 401 with an error naming the key source, never the key', async () => {
    const error = await pollAuditLogs(deps(NOW, { key: 'sk-admin-WRONGKEY0123456789abcdefghij' }), OPTIONS).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AdminKeyRejectedError);
    expect((error as Error).message).toMatch(
      /^OpenAI rejected the admin key \(HTTP 401\)\. Check the SSM parameter \/test\/admin-key/,
    );
    expect((error as Error).message).not.toContain('WRONGKEY');
    expect(api.requests).toHaveLength(1);
  });
});
