// The archive in S3, over the wire against the fauxqs emulator: the store contract, the object's
// headers (JSON Lines, gzip-encoded, no encryption key set: the bucket's default applies), keys
// under the prefix, listing that pages past 1,000 keys, and the CLI's own client (endpoint from
// AWS_ENDPOINT_URL_S3, path-style addressing).
import { randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ARCHIVE_CONTENT_TYPE,
  openArchiveStore,
  S3ArchiveStore,
  type ArchiveStore,
} from '../../../lib/archive/index.ts';
import { storeContract } from './store-contract.ts';

// fauxqs serves S3 on the shared emulators' endpoint.
const endpoint = inject('emulators').s3;
let client: S3Client;

beforeAll(() => {
  client = new S3Client({ endpoint, forcePathStyle: true });
});

afterAll(() => {
  client.destroy();
});

async function freshBucket(): Promise<string> {
  const bucket = `archive-${randomUUID().slice(0, 12)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const found: string[] = [];
  for await (const item of iterable) found.push(item);
  return found;
}

describe('S3ArchiveStore', () => {
  describe('without a prefix', () => {
    storeContract(async () => new S3ArchiveStore(client, await freshBucket()));
  });

  describe('under a prefix', () => {
    storeContract(async () => new S3ArchiveStore(client, await freshBucket(), '/audit/prod/'));
  });

  it('writes JSON Lines, gzip-encoded, under the prefix, and sees only keys under it', async () => {
    const bucket = await freshBucket();
    const store: ArchiveStore = new S3ArchiveStore(client, bucket, 'audit/prod');
    await store.put('alerts/dt=2024-11-24/a1.jsonl.gz', new Uint8Array([0x1f, 0x8b, 8]));
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'audit/other/alerts/dt=2024-11-24/x.jsonl.gz', Body: 'x' }),
    );
    const head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'audit/prod/alerts/dt=2024-11-24/a1.jsonl.gz' }),
    );
    expect(head.ContentType).toBe(ARCHIVE_CONTENT_TYPE);
    expect(head.ContentType).toBe('application/x-ndjson');
    expect(head.ContentLength).toBe(3);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((object) => object.Key).sort()).toEqual([
      'audit/other/alerts/dt=2024-11-24/x.jsonl.gz',
      'audit/prod/alerts/dt=2024-11-24/a1.jsonl.gz',
    ]);
    expect(await collect(store.list('alerts/'))).toEqual(['alerts/dt=2024-11-24/a1.jsonl.gz']);
    expect(await collect(store.folders(''))).toEqual(['alerts/']);
  });

  it('sends PutObject with Content-Type application/x-ndjson and Content-Encoding gzip, and no encryption header', async () => {
    const bucket = await freshBucket();
    const recording = new S3Client({ endpoint, forcePathStyle: true });
    const sent: Array<Record<string, string>> = [];
    recording.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { method?: string; headers?: Record<string, string> };
        if (request.method === 'PUT') sent.push({ ...request.headers });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordHeaders' },
    );
    await new S3ArchiveStore(recording, bucket).put('alerts/dt=2024-11-24/a1.jsonl.gz', new Uint8Array([1]));
    recording.destroy();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
    expect(Object.keys(sent[0] ?? {}).filter((name) => name.startsWith('x-amz-server-side-encryption'))).toEqual([]);
  });

  it('lists past one page of ListObjectsV2 (1,000 keys)', async () => {
    const store = new S3ArchiveStore(client, await freshBucket());
    const keys = Array.from({ length: 1005 }, (_, i) => `alerts/dt=2024-11-24/a${String(i).padStart(4, '0')}.jsonl.gz`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(keys.slice(i, i + 50).map((key) => store.put(key, new Uint8Array([1]))));
    expect(await collect(store.list('alerts/'))).toEqual(keys);
  });

  it('is what the CLI opens for s3://BUCKET/PREFIX, at AWS_ENDPOINT_URL_S3 with path-style addressing', async () => {
    const bucket = await freshBucket();
    const opened = await openArchiveStore({ kind: 's3', bucket, prefix: 'p' }, { AWS_ENDPOINT_URL_S3: endpoint });
    if (!('store' in opened)) throw new Error(opened.problem);
    await opened.store.put('alerts/dt=2024-11-24/a1.jsonl.gz', new Uint8Array([5]));
    expect([...(await new S3ArchiveStore(client, bucket, 'p').get('alerts/dt=2024-11-24/a1.jsonl.gz'))]).toEqual([5]);
  });
});
