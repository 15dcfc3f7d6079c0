// An ArchiveStore in memory for the readers' tests, with S3's listing semantics (keys in byte
// order, common prefixes with the delimiter "/"), recording every call so tests can check what a
// reader asked for and when.
import type { ArchiveStore } from '../../../lib/archive/index.ts';

export type StoreCall = { op: 'list' | 'folders' | 'get' | 'put'; arg: string };

export class MemoryArchiveStore implements ArchiveStore {
  readonly objects = new Map<string, Uint8Array>();
  readonly calls: StoreCall[] = [];
  /** Keys whose get rejects, as a store failure. */
  readonly failing = new Set<string>();
  /** Key prefixes under which a put rejects, as S3 refusing or timing out. */
  readonly refusing = new Set<string>();

  put(key: string, body: Uint8Array): Promise<void> {
    this.calls.push({ op: 'put', arg: key });
    for (const prefix of this.refusing)
      if (key.startsWith(prefix)) return Promise.reject(new Error(`SlowDown: ${key}`));
    this.objects.set(key, body);
    return Promise.resolve();
  }

  async *list(prefix: string): AsyncGenerator<string> {
    this.calls.push({ op: 'list', arg: prefix });
    await Promise.resolve();
    yield* [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  async *folders(prefix: string): AsyncGenerator<string> {
    this.calls.push({ op: 'folders', arg: prefix });
    await Promise.resolve();
    const folders = new Set<string>();
    for (const key of this.objects.keys()) {
      if (!key.startsWith(prefix)) continue;
      const slash = key.indexOf('/', prefix.length);
      if (slash >= 0) folders.add(key.slice(0, slash + 1));
    }
    yield* [...folders].sort();
  }

  get(key: string): Promise<Uint8Array> {
    this.calls.push({ op: 'get', arg: key });
    if (this.failing.has(key)) return Promise.reject(new Error(`AccessDenied: ${key}`));
    const body = this.objects.get(key);
    return body === undefined ? Promise.reject(new Error(`NoSuchKey: ${key}`)) : Promise.resolve(body);
  }
}
