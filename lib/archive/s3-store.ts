import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { normalizeS3Prefix } from './s3-prefix.ts';
import type { ArchiveStore } from './store.ts';

/**
 * The content type of every object: JSON Lines (served gzip-encoded).
 *
 * @example
 * ```ts
 * new PutObjectCommand({ Bucket, Key, Body, ContentType: ARCHIVE_CONTENT_TYPE, ContentEncoding: 'gzip' });
 * ```
 */
export const ARCHIVE_CONTENT_TYPE = 'application/x-ndjson';

/**
 * The archive in an S3 bucket, under an optional prefix (`s3://BUCKET/PREFIX/events/...`).
 * Objects are written with `Content-Type: application/x-ndjson` and `Content-Encoding: gzip`;
 * server-side encryption is the bucket's default (no key is set here). Listing pages through
 * ListObjectsV2.
 *
 * @example
 * ```ts
 * const store = new S3ArchiveStore(new S3Client({}), 'audit-archive', 'prod');
 * for await (const key of store.list('alerts/')) console.log(key);
 * ```
 */
export class S3ArchiveStore implements ArchiveStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  /** `''`, or the prefix with its trailing `/`. */
  readonly #root: string;

  public constructor(client: S3Client, bucket: string, prefix = '') {
    this.#client = client;
    this.#bucket = bucket;
    const normalized = normalizeS3Prefix(prefix);
    this.#root = normalized === '' ? '' : `${normalized}/`;
  }

  public async put(key: string, body: Uint8Array): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#root + key,
        Body: body,
        ContentType: ARCHIVE_CONTENT_TYPE,
        ContentEncoding: 'gzip',
      }),
    );
  }

  public async *list(prefix: string): AsyncGenerator<string> {
    for await (const page of this.#pages(prefix, undefined)) {
      for (const { Key } of page.Contents ?? [])
        if (Key?.startsWith(this.#root) === true) yield Key.slice(this.#root.length);
    }
  }

  public async *folders(prefix: string): AsyncGenerator<string> {
    for await (const page of this.#pages(prefix, '/')) {
      for (const { Prefix } of page.CommonPrefixes ?? [])
        if (Prefix?.startsWith(this.#root) === true) yield Prefix.slice(this.#root.length);
    }
  }

  public async get(key: string): Promise<Uint8Array> {
    const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#root + key }));
    if (response.Body === undefined) throw new Error(`s3://${this.#bucket}/${this.#root}${key}: no body`);
    return response.Body.transformToByteArray();
  }

  async *#pages(prefix: string, delimiter: string | undefined) {
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: this.#root + prefix,
          ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      yield page;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
}
