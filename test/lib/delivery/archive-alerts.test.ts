// The alert archive as a delivery destination: the delivery handler writes each alert of the
// archive queue to S3 (the real S3 client against the emulator), and the others to their HTTP
// destination; a failed write retries only its record, a message without an alert is dead-lettered.
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { readDeliveryConfig } from '../../../lib/config/delivery-config.ts';
import { archiveAlerts } from '../../../lib/delivery/archive-alerts.ts';
import { createDeliveryHandler } from '../../../lib/delivery/create-handler.ts';
import type { DeliveryRecord } from '../../../lib/delivery/deliver-batch.ts';
import type { DeliveryMetric } from '../../../lib/delivery/telemetry.ts';
import { sampleAlert } from '../../support/alerts.ts';
import { RecordingDeadLetters } from '../../support/fakes/recording-ports.ts';
import { MemoryArchiveStore } from '../archive/memory-store.ts';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/openai-audit-alerts-dev-delivery-archive';
const ARN = 'arn:aws:sqs:us-east-1:123456789012:openai-audit-alerts-dev-delivery-archive';

const record = (messageId: string, body: string, arn = ARN): DeliveryRecord => ({
  messageId,
  body,
  receiptHandle: `r-${messageId}`,
  receiveCount: 1,
  eventSourceArn: arn,
});

function recorder() {
  const counts: Array<[DeliveryMetric, string]> = [];
  const logs: Array<[string, string]> = [];
  return {
    counts,
    logs,
    telemetry: {
      count: (metric: DeliveryMetric, destination: string) => counts.push([metric, destination]),
      log: (level: string, message: string) => logs.push([level, message]),
    },
  };
}

describe('the alert archive', () => {
  it('writes each alert of the archive queue to its S3 bucket, one object per alert id, the same object on a redelivery', async () => {
    const s3 = new S3Client({});
    const bucket = `alerts-${randomUUID().slice(0, 8)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { telemetry, counts } = recorder();
    const deliver = createDeliveryHandler({
      config: readDeliveryConfig({
        DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/delivery-dlq',
        ARCHIVE_QUEUE_URL: QUEUE,
        ARCHIVE_BUCKET: bucket,
      }),
      telemetry,
    });
    const first = sampleAlert({ alertId: 'a1', createdAt: '2024-11-24T10:00:00.000Z' });
    const second = sampleAlert({ alertId: 'a2', createdAt: '2024-11-25T00:00:01.000Z' });
    const result = await deliver(
      [record('m1', JSON.stringify(first)), record('m2', JSON.stringify(second)), record('m3', JSON.stringify(first))],
      () => 60_000,
    );
    expect(result.batchItemFailures).toEqual([]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((object) => object.Key)).toEqual([
      'alerts/dt=2024-11-24/a1.jsonl.gz',
      'alerts/dt=2024-11-25/a2.jsonl.gz',
    ]);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'alerts/dt=2024-11-24/a1.jsonl.gz' }));
    const bytes = await (object.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array()));
    expect(JSON.parse(gunzipSync(bytes).toString('utf8'))).toEqual(first);
    expect(counts).toEqual([
      ['AlertsDelivered', 'archive'],
      ['AlertsDelivered', 'archive'],
      ['AlertsDelivered', 'archive'],
    ]);
  });

  it('retries only the record whose write failed, and dead-letters a message without an alert', async () => {
    const store = new MemoryArchiveStore();
    store.refusing.add('alerts/dt=2024-11-25/');
    const deadLetters = new RecordingDeadLetters();
    const { telemetry, counts, logs } = recorder();
    const result = await archiveAlerts(
      [
        record('ok', JSON.stringify(sampleAlert({ alertId: 'a1', createdAt: '2024-11-24T10:00:00.000Z' }))),
        record('slow', JSON.stringify(sampleAlert({ alertId: 'a2', createdAt: '2024-11-25T10:00:00.000Z' }))),
        record('junk', '{"not": "an alert"}'),
        record('unnamed', JSON.stringify(sampleAlert({ alertId: 'test:alert-1' }))),
      ],
      { store: () => Promise.resolve(store), deadLetters: () => Promise.resolve(deadLetters), telemetry },
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'slow' }]);
    expect([...store.objects.keys()]).toEqual(['alerts/dt=2024-11-24/a1.jsonl.gz']);
    // Not an alert, and an alert the layout cannot name (its id holds a ':'): to the DLQ at once.
    expect(deadLetters.letters.map((letter) => [letter.kind, letter.sourceMessageId, letter.reason]).sort()).toEqual([
      ['not-an-alert', 'junk', expect.any(String) as unknown],
      ['not-an-alert', 'unnamed', expect.stringMatching(/^the alert cannot be archived: .*unsafe alert id/) as unknown],
    ]);
    // Written concurrently: in any order.
    expect([...counts].sort()).toEqual([
      ['AlertsDelivered', 'archive'],
      ['MalformedAlerts', 'archive'],
      ['MalformedAlerts', 'archive'],
    ]);
    expect(logs.filter(([level]) => level === 'WARN')).toEqual([
      ['WARN', 'alert not archived; the record will be retried'],
    ]);
  });

  it('needs the bucket with the queue', () => {
    expect(() =>
      readDeliveryConfig({
        DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/delivery-dlq',
        ARCHIVE_QUEUE_URL: QUEUE,
      }),
    ).toThrow('ARCHIVE_BUCKET is not set (ARCHIVE_QUEUE_URL is)');
  });
});
