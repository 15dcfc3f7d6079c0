// What every ArchiveStore does, run against each implementation (a directory, S3 over the wire):
// put and get bytes exactly, list keys by prefix at any depth in byte order, list the folders just
// below a prefix, overwrite whole, reject a get of a missing key.
import { expect, it } from 'vitest';
import type { ArchiveStore } from '../../../lib/archive/index.ts';

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const found: string[] = [];
  for await (const item of iterable) found.push(item);
  return found;
}

export function storeContract(makeStore: () => Promise<ArchiveStore>): void {
  it('puts and gets bytes exactly, and overwrites a key whole', async () => {
    const store = await makeStore();
    const body = new Uint8Array([0x1f, 0x8b, 0, 255, 10, 13]);
    await store.put('alerts/dt=2024-11-24/a1.jsonl.gz', body);
    expect([...(await store.get('alerts/dt=2024-11-24/a1.jsonl.gz'))]).toEqual([...body]);
    await store.put('alerts/dt=2024-11-24/a1.jsonl.gz', new Uint8Array([1, 2]));
    expect([...(await store.get('alerts/dt=2024-11-24/a1.jsonl.gz'))]).toEqual([1, 2]);
    await expect(store.get('alerts/dt=2024-11-24/missing.jsonl.gz')).rejects.toThrow();
  });

  it('lists every key under a prefix, at any depth, in byte order; folders just below a prefix', async () => {
    const store = await makeStore();
    const keys = [
      'events/org=org-b/dt=2024-11-24/b.jsonl.gz',
      'events/org=org-a/dt=2024-11-25/a.jsonl.gz',
      'events/org=org-a/dt=2024-11-24/c.jsonl.gz',
      'events/org=org-a/dt=2024-11-24/a.jsonl.gz',
      'events/org=org-a-1/dt=2024-11-24/z.jsonl.gz',
      'alerts/dt=2024-11-24/x.jsonl.gz',
    ];
    for (const key of keys) await store.put(key, new Uint8Array([1]));
    expect(await collect(store.list('events/org=org-a/'))).toEqual([
      'events/org=org-a/dt=2024-11-24/a.jsonl.gz',
      'events/org=org-a/dt=2024-11-24/c.jsonl.gz',
      'events/org=org-a/dt=2024-11-25/a.jsonl.gz',
    ]);
    // A prefix that ends inside a name, as S3 prefixes may.
    expect(await collect(store.list('events/org=org-a'))).toEqual([
      'events/org=org-a-1/dt=2024-11-24/z.jsonl.gz',
      'events/org=org-a/dt=2024-11-24/a.jsonl.gz',
      'events/org=org-a/dt=2024-11-24/c.jsonl.gz',
      'events/org=org-a/dt=2024-11-25/a.jsonl.gz',
    ]);
    expect(await collect(store.list('events/org=nobody/'))).toEqual([]);
    expect(await collect(store.folders('events/org='))).toEqual([
      'events/org=org-a-1/',
      'events/org=org-a/',
      'events/org=org-b/',
    ]);
    expect(await collect(store.folders('events/org=org-a/dt='))).toEqual([
      'events/org=org-a/dt=2024-11-24/',
      'events/org=org-a/dt=2024-11-25/',
    ]);
    expect(await collect(store.folders('alerts/'))).toEqual(['alerts/dt=2024-11-24/']);
    expect(await collect(store.folders('nothing/'))).toEqual([]);
  });
}
