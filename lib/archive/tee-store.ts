import type { ArchiveStore } from './store.ts';

/**
 * An archive written to several stores at once (a bucket, and a local copy of it), read from the
 * first. A put succeeds when every store took the object.
 *
 * @example
 * ```ts
 * const store = new TeeArchiveStore([new S3ArchiveStore(s3, bucket), new DirectoryArchiveStore('arch')]);
 * ```
 */
export class TeeArchiveStore implements ArchiveStore {
  readonly #stores: readonly [ArchiveStore, ...ArchiveStore[]];

  public constructor(stores: readonly [ArchiveStore, ...ArchiveStore[]]) {
    this.#stores = stores;
  }

  public async put(key: string, body: Uint8Array): Promise<void> {
    await Promise.all(this.#stores.map((store) => store.put(key, body)));
  }

  public list(prefix: string): AsyncIterable<string> {
    return this.#stores[0].list(prefix);
  }

  public folders(prefix: string): AsyncIterable<string> {
    return this.#stores[0].folders(prefix);
  }

  public get(key: string): Promise<Uint8Array> {
    return this.#stores[0].get(key);
  }
}
