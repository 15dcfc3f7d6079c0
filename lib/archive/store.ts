/**
 * Where the archive's objects are kept, by key (`events/org=.../dt=.../<id>.jsonl.gz`): an S3
 * bucket (`S3ArchiveStore`) or a local directory in the same layout (`DirectoryArchiveStore`).
 * Keys are relative to the store's own prefix or directory.
 *
 * @example
 * ```ts
 * await store.put('alerts/dt=2024-11-24/7885288cb029e201331629ee3b2b2a39.jsonl.gz', body);
 * for await (const key of store.list('alerts/dt=2024-11-24/')) console.log(key, (await store.get(key)).length);
 * ```
 */
export interface ArchiveStore {
  /** Writes (or overwrites) one object whole: a reader sees the old body or the new, never a part. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** Every key that starts with `prefix`, at any depth, in ascending (byte) order. */
  list(prefix: string): AsyncIterable<string>;
  /**
   * The folders just below `prefix` (what S3 calls common prefixes with the delimiter `/`): each
   * `prefix` plus the rest of one name up to and including the next `/`, in ascending order.
   * `folders('events/')` yields `events/org=org-abc123/`, ...
   */
  folders(prefix: string): AsyncIterable<string>;
  /** One object's body; rejects when there is no such key. */
  get(key: string): Promise<Uint8Array>;
}
