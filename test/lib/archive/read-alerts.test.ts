// Reading archived alerts back: those created in [from, to), by createdAt, each alert id once,
// filtered by severity and rule, problems reported with key and line.
import { describe, expect, it } from 'vitest';
import {
  alertObjectKey,
  gzipLines,
  readArchivedAlerts,
  writeAlert,
  type ArchiveProblem,
  type ReadArchivedAlertsOptions,
} from '../../../lib/archive/index.ts';
import { FOLDER_FETCH_CONCURRENCY } from '../../../lib/archive/reading.ts';
import { MemoryArchiveStore } from './memory-store.ts';

const alert = (alertId: string, createdAt: string, severity = 'HIGH', ruleId = 'Rule.A') => ({
  alertId,
  createdAt,
  severity,
  ruleId,
  title: `title ${alertId}`,
});

async function read(store: MemoryArchiveStore, options: Partial<ReadArchivedAlertsOptions> = {}) {
  const problems: ArchiveProblem[] = [];
  const reading = readArchivedAlerts(store, {
    from: new Date('2024-11-24T00:00:00Z'),
    to: new Date('2024-11-26T00:00:00Z'),
    onProblem: (problem) => problems.push(problem),
    ...options,
  });
  const ids: string[] = [];
  for await (const found of reading) ids.push(found.alertId);
  return { ids, problems, stats: reading.stats };
}

async function archive(...alerts: ReturnType<typeof alert>[]) {
  const store = new MemoryArchiveStore();
  for (const one of alerts) await writeAlert(store, one);
  return store;
}

describe('readArchivedAlerts', () => {
  it('yields the alerts created in [from, to) by createdAt, ties by alert id, the whole document', async () => {
    const store = await archive(
      alert('a3', '2024-11-25T01:00:00.000Z'),
      alert('a2', '2024-11-24T05:00:00.000Z'),
      alert('a1', '2024-11-24T05:00:00.000Z'),
      alert('early', '2024-11-23T23:59:59.999Z'),
      alert('late', '2024-11-26T00:00:00.000Z'),
    );
    const { ids, stats } = await read(store);
    expect(ids).toEqual(['a1', 'a2', 'a3']);
    expect(stats).toEqual({ days: 2, objects: 3, yielded: 3, duplicates: 0, problems: 0 });
    const documents: unknown[] = [];
    for await (const found of readArchivedAlerts(store, { from: new Date('2024-11-24'), to: new Date('2024-11-25') }))
      documents.push(found);
    expect(documents).toEqual([alert('a1', '2024-11-24T05:00:00.000Z'), alert('a2', '2024-11-24T05:00:00.000Z')]);
  });

  it('gives an alert created again on another day once, the first time', async () => {
    const store = await archive(alert('a1', '2024-11-24T05:00:00.000Z'), alert('a1', '2024-11-25T05:00:00.000Z'));
    // A redelivery on the same day rewrites the same key.
    await writeAlert(store, alert('a1', '2024-11-24T05:00:00.000Z'));
    expect(store.objects.size).toBe(2);
    const { ids, stats } = await read(store);
    expect(ids).toEqual(['a1']);
    expect(stats.duplicates).toBe(1);
  });

  it('filters by severity and by rule', async () => {
    const store = await archive(
      alert('h1', '2024-11-24T01:00:00.000Z', 'HIGH', 'Rule.A'),
      alert('m1', '2024-11-24T02:00:00.000Z', 'MEDIUM', 'Rule.A'),
      alert('h2', '2024-11-24T03:00:00.000Z', 'HIGH', 'Rule.B'),
      alert('c1', '2024-11-24T04:00:00.000Z', 'CRITICAL', 'Rule.B'),
    );
    expect((await read(store, { severity: 'HIGH' })).ids).toEqual(['h1', 'h2']);
    expect((await read(store, { ruleId: 'Rule.B' })).ids).toEqual(['h2', 'c1']);
    expect((await read(store, { ruleId: 'Rule.B', severity: 'HIGH' })).ids).toEqual(['h2']);
  });

  it('reports lines and objects that cannot be read with their key and line, and reads the rest', async () => {
    const store = await archive(alert('ok', '2024-11-24T05:00:00.000Z'));
    const key = alertObjectKey('2024-11-24', 'bad');
    await store.put(
      key,
      gzipLines([JSON.stringify({ ...alert('bad', '2024-11-24T06:00:00.000Z'), severity: 'SEVERE' })]),
    );
    await store.put('alerts/dt=2024-11-24/readme', gzipLines(['hello']));
    const { ids, problems } = await read(store);
    expect(ids).toEqual(['ok']);
    expect(problems).toEqual([
      { key, line: 1, reason: 'not an alert document: "severity" must be one of INFO, LOW, MEDIUM, HIGH, CRITICAL' },
      { key: 'alerts/dt=2024-11-24/readme', reason: 'not an alert object of the layout (<alertId>.jsonl.gz): skipped' },
    ]);
  });

  it('lists only the dt= folders of the range', async () => {
    const store = await archive(alert('a1', '2024-11-20T05:00:00.000Z'), alert('a2', '2024-11-24T05:00:00.000Z'));
    await read(store, { from: new Date('2024-11-24T04:00:00Z'), to: new Date('2024-11-24T06:00:00Z') });
    expect(store.calls.filter((call) => call.op === 'list').map((call) => call.arg)).toEqual(['alerts/dt=2024-11-24/']);
  });

  it('reads a day of more objects than it fetches at once whole, in createdAt order, each object counted', async () => {
    const count = 2 * FOLDER_FETCH_CONCURRENCY + 3;
    // Alert ids list in the opposite order to their times, so listing order is not the answer.
    const alerts = Array.from({ length: count }, (_, index) =>
      alert(`a${String(count - index).padStart(3, '0')}`, new Date(Date.UTC(2024, 10, 24, 0, index)).toISOString()),
    );
    const store = await archive(...alerts);
    const { ids, stats } = await read(store, { to: new Date('2024-11-25T00:00:00Z') });
    expect(ids).toEqual(alerts.map((one) => one.alertId));
    expect(stats).toEqual({ days: 1, objects: count, yielded: count, duplicates: 0, problems: 0 });
    expect(store.calls.filter((call) => call.op === 'get')).toHaveLength(count);
  });
});
