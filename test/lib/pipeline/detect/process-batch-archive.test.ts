// The archive phase of processBatch, over in-memory ports: every event received is archived, one
// object per organization and day, beside detection; a failed write retries only its records,
// which do not alert again.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../lib/shared/json.ts';
import { API_KEY_ANOMALOUS_ACTIVITY_RULE_ID } from '../../../../lib/detection/rules/openai/api-key-anomalous-activity.ts';
import { envelopeOpening, envelopeValue } from '../../../../lib/ingestion/packing/envelope.ts';
import { processBatch } from '../../../../lib/pipeline/detect/process-batch.ts';
import type { QueueRecord } from '../../../../lib/shared/sqs-batch.ts';
import { fakeDependencies } from '../../../support/fakes/fake-dependencies.ts';
import { EVENT_TIME, benign, keyEvent } from '../../../integration/events.ts';

const SENT = Date.UTC(2024, 6, 3, 9, 46, 40);
const DAY = '2024-07-03'; // of EVENT_TIME

const record = (messageId: string, body: string, receiveCount = 1): QueueRecord => ({
  messageId,
  body,
  attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(SENT) },
});
const enveloped = (orgId: string, events: readonly unknown[]) =>
  `${envelopeOpening({ id: orgId, name: orgId }, 'poller')}${events.map((e) => JSON.stringify(e)).join(',')}]}`;
const failedIds = (result: { batchItemFailures: Array<{ itemIdentifier: string }> }) =>
  result.batchItemFailures.map((f) => f.itemIdentifier);
const lines = (body: Uint8Array | undefined) =>
  gunzipSync(body ?? new Uint8Array())
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('processBatch with an event archive', () => {
  it('archives every event received, one object per organization and day, with where and when it came', async () => {
    const fakes = fakeDependencies({ archive: true });
    const result = await processBatch(
      [
        record('m1', enveloped('org-a', [keyEvent('e1', 'alice'), benign('e2')])),
        record('m2', JSON.stringify(benign('e3'))),
        record('m3', enveloped('org-a', [{ ...benign('e4'), effective_at: EVENT_TIME + 86_400 }])),
      ],
      fakes.deps,
    );
    expect(failedIds(result)).toEqual([]);
    const keys = [...fakes.archive.objects.keys()].sort();
    expect(keys.map((key) => key.replace(/[0-9a-f]{32}\.jsonl\.gz$/, '*'))).toEqual([
      `events/org=none/dt=${DAY}/*`,
      `events/org=org-a/dt=${DAY}/*`,
      'events/org=org-a/dt=2024-07-04/*',
    ]);
    const orgA = lines(fakes.archive.objects.get(keys[1] as string));
    expect(orgA.map((line) => [line.organization_id, line.message_id, line.source, line.received_at])).toEqual([
      ['org-a', 'm1', 'poller', new Date(SENT).toISOString()],
      ['org-a', 'm1', 'poller', new Date(SENT).toISOString()],
    ]);
    expect(orgA.map((line) => line.event)).toEqual([keyEvent('e1', 'alice'), benign('e2')]);
    expect(lines(fakes.archive.objects.get(keys[0] as string))).toMatchObject([
      { organization_id: null, message_id: 'm2', source: '', event: benign('e3') },
    ]);
    expect(fakes.telemetry.count('EventsArchived')).toBe(4);
    expect(fakes.publisher.published).toHaveLength(1);
  });

  it('writes the same keys and bytes when the batch is delivered again, in any order', async () => {
    const fakes = fakeDependencies({ archive: true });
    const batch = [record('m1', enveloped('org-a', [benign('e1')])), record('m2', enveloped('org-a', [benign('e2')]))];
    await processBatch(batch, fakes.deps);
    const first = new Map(fakes.archive.objects);
    fakes.archive.objects.clear();
    await processBatch([...batch].reverse(), fakes.deps);
    expect(fakes.archive.objects).toEqual(first);
    expect(fakes.archive.objects.size).toBe(1);
  });

  it('retries only the records of a partition it could not write, counted and logged; the retry archives them without alerting again', async () => {
    const fakes = fakeDependencies({ archive: true });
    fakes.archive.refusing.add('events/org=org-b/');
    const batch = [
      record('a', enveloped('org-a', [keyEvent('e1', 'alice')])),
      record('b', enveloped('org-b', [keyEvent('e2', 'bob')])),
    ];
    expect(failedIds(await processBatch(batch, fakes.deps))).toEqual(['b']);
    expect(fakes.telemetry.count('RecordsFailed')).toBe(1);
    expect(fakes.telemetry.count('ArchiveWritesFailed')).toBe(1);
    expect(fakes.telemetry.count('EventsArchived')).toBe(1);
    expect(fakes.telemetry.logs.filter((l) => l.level === 'WARN').map((l) => [l.message, l.fields?.messageId])).toEqual(
      [['events not archived; the record will be retried (it will not alert again)', 'b']],
    );
    // Detection went on: both alerted.
    expect(fakes.publisher.published.map((a) => a.ruleId)).toEqual([
      API_KEY_ANOMALOUS_ACTIVITY_RULE_ID,
      API_KEY_ANOMALOUS_ACTIVITY_RULE_ID,
    ]);
    fakes.archive.refusing.clear();
    expect(failedIds(await processBatch([record('b', batch[1]?.body ?? '', 2)], fakes.deps))).toEqual([]);
    expect([...fakes.archive.objects.keys()].filter((key) => key.startsWith('events/org=org-b/'))).toHaveLength(1);
    expect(fakes.publisher.published).toHaveLength(2);
  });

  it('sends the events to the dead-letter queue on the last receive, in their envelope, and a redrive archives them without alerting again', async () => {
    const fakes = fakeDependencies({ archive: true, maxReceiveCount: 3 });
    fakes.archive.refusing.add('events/');
    const body = enveloped('org-a', [keyEvent('e1', 'alice'), benign('e2')]);
    expect(failedIds(await processBatch([record('m1', body, 3)], fakes.deps))).toEqual([]);
    expect(fakes.deadLetters.letters).toEqual([
      {
        kind: 'archive-failed',
        sourceMessageId: 'm1',
        reason: expect.stringMatching(/^2 event\(s\) not archived: .*SlowDown: events\/org=org-a\//) as unknown,
        body: JSON.stringify(
          envelopeValue({ id: 'org-a', name: 'org-a' }, 'poller', [
            keyEvent('e1', 'alice'),
            benign('e2'),
          ] as JsonValue[]),
        ),
      },
    ]);
    expect(fakes.telemetry.count('ArchiveWritesFailed')).toBe(2);
    expect(
      fakes.telemetry.logs.filter((l) => l.level === 'ERROR').map((l) => [l.message, l.fields?.messageId]),
    ).toEqual([['events not archived on the last receive: they go to the dead-letter queue', 'm1']]);
    expect(fakes.publisher.published).toHaveLength(1);
    // Redriven: the same organization, so the same dedup key: archived, not alerted again.
    fakes.archive.refusing.clear();
    const letter = fakes.deadLetters.letters[0]?.body ?? '';
    expect(failedIds(await processBatch([record('redriven', letter)], fakes.deps))).toEqual([]);
    expect(fakes.publisher.published).toHaveLength(1);
    expect([...fakes.archive.objects.keys()].map((key) => key.split('/').slice(0, 3).join('/'))).toEqual([
      `events/org=org-a/dt=${DAY}`,
    ]);
  });

  it('retries every record with events when the archive cannot be opened, and writes nothing for a batch without events', async () => {
    const fakes = fakeDependencies({ archive: true });
    const deps = { ...fakes.deps, archive: () => Promise.reject(new Error('no credentials')) };
    const batch = [record('e', enveloped('org-a', [benign('e1')])), record('junk', 'not json')];
    expect(failedIds(await processBatch(batch, deps))).toEqual(['e']);
    expect(fakes.telemetry.count('ArchiveWritesFailed')).toBe(1);
    const quiet = fakeDependencies({ archive: true });
    expect(failedIds(await processBatch([record('junk', 'not json')], quiet.deps))).toEqual([]);
    expect(quiet.archive.calls).toEqual([]);
  });

  it('archives nothing and costs nothing without an archive', async () => {
    const fakes = fakeDependencies();
    expect(failedIds(await processBatch([record('m1', JSON.stringify(benign('e1')))], fakes.deps))).toEqual([]);
    expect(fakes.archive.calls).toEqual([]);
    expect(fakes.telemetry.count('EventsArchived')).toBe(0);
  });
});
