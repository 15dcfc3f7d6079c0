// The archive in a local directory: the same contract as S3, files in the same layout, written
// atomically (a temporary file renamed over the key), keys that could leave the directory refused,
// and no symbolic link below it written through, followed or silently skipped.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  archivedEvent,
  DirectoryArchiveStore,
  directoryKeyProblem,
  encodeEventLine,
  gzipLines,
  readArchivedEvents,
} from '../../../lib/archive/index.ts';
import { storeContract } from './store-contract.ts';

const directory = () => mkdtempSync(join(tmpdir(), 'archive-dir-'));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const found: T[] = [];
  for await (const item of iterable) found.push(item);
  return found;
}

/** `parent/arch` (the archive) and `parent/outside`, a folder beside it. */
function archiveBeside(): { root: string; outside: string } {
  const parent = directory();
  const root = join(parent, 'arch');
  const outside = join(parent, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  return { root, outside };
}

/** The message of the Error that listing throws on meeting the link `key`. */
const linkListed = (root: string, key: string): string =>
  `the directory archive ${JSON.stringify(root)} holds a symbolic link, ${JSON.stringify(key)}, which it does not follow: replace the link with the folder or file it points to`;

describe('DirectoryArchiveStore', () => {
  storeContract(() => Promise.resolve(new DirectoryArchiveStore(directory())));

  it('writes each key as a file of the same path, creating its folders, leaving no temporary file', async () => {
    const root = directory();
    const store = new DirectoryArchiveStore(root);
    await store.put('events/org=org-a/dt=2024-11-24/a.jsonl.gz', new Uint8Array([7, 8]));
    const folder = join(root, 'events', 'org=org-a', 'dt=2024-11-24');
    expect(readdirSync(folder)).toEqual(['a.jsonl.gz']);
    expect([...readFileSync(join(folder, 'a.jsonl.gz'))]).toEqual([7, 8]);
  });

  it('lists neither hidden files (its own temporary ones) nor folders as keys', async () => {
    const root = directory();
    const store = new DirectoryArchiveStore(root);
    await store.put('alerts/dt=2024-11-24/a.jsonl.gz', new Uint8Array([1]));
    writeFileSync(join(root, 'alerts', 'dt=2024-11-24', '.0f3c.tmp'), 'partial');
    const keys: string[] = [];
    for await (const key of store.list('alerts/')) keys.push(key);
    expect(keys).toEqual(['alerts/dt=2024-11-24/a.jsonl.gz']);
  });

  it('refuses a key that could leave the directory or clash with its temporary files', async () => {
    const store = new DirectoryArchiveStore(directory());
    await expect(store.put('../outside.jsonl.gz', new Uint8Array())).rejects.toThrow(
      'not a key of a directory archive: "../outside.jsonl.gz": a segment is "." or ".." or starts with "."',
    );
    await expect(store.get('/etc/passwd')).rejects.toThrow('a segment is empty (a leading, trailing or double "/")');
    expect(directoryKeyProblem('a\\b')).toBe('it holds a NUL or a backslash');
    expect(directoryKeyProblem('')).toBe('it is empty');
    expect(directoryKeyProblem('events/org=a/dt=2024-11-24/x.jsonl.gz')).toBeUndefined();
  });

  it('lists nothing under a directory that does not exist', async () => {
    const store = new DirectoryArchiveStore(join(directory(), 'absent'));
    const keys: string[] = [];
    for await (const key of store.list('events/')) keys.push(key);
    for await (const folder of store.folders('events/')) keys.push(folder);
    expect(keys).toEqual([]);
  });

  it('refuses to write through a symbolic link below the directory, and writes nothing outside it', async () => {
    const { root, outside } = archiveBeside();
    const store = new DirectoryArchiveStore(root);
    const refused = (key: string, link: string): string =>
      `refusing to write ${JSON.stringify(key)} in the directory archive ${JSON.stringify(root)} through the symbolic link ${JSON.stringify(link)}: the archive holds no links`;
    // A top folder linked out (arch/events -> ../outside).
    symlinkSync('../outside', join(root, 'events'));
    const key = 'events/org=org-a/dt=2024-11-24/a.jsonl.gz';
    await expect(store.put(key, new Uint8Array([1]))).rejects.toThrow(refused(key, 'events'));
    // A folder deeper down.
    mkdirSync(join(root, 'alerts'));
    symlinkSync(outside, join(root, 'alerts', 'dt=2024-11-24'));
    await expect(store.put('alerts/dt=2024-11-24/b.jsonl.gz', new Uint8Array([1]))).rejects.toThrow(
      refused('alerts/dt=2024-11-24/b.jsonl.gz', 'alerts/dt=2024-11-24'),
    );
    // The key's own file.
    writeFileSync(join(outside, 'target'), 'kept');
    mkdirSync(join(root, 'alerts', 'dt=2024-11-25'));
    symlinkSync(join(outside, 'target'), join(root, 'alerts', 'dt=2024-11-25', 'c.jsonl.gz'));
    await expect(store.put('alerts/dt=2024-11-25/c.jsonl.gz', new Uint8Array([1]))).rejects.toThrow(
      refused('alerts/dt=2024-11-25/c.jsonl.gz', 'alerts/dt=2024-11-25/c.jsonl.gz'),
    );
    expect(readdirSync(outside)).toEqual(['target']);
    expect(readFileSync(join(outside, 'target'), 'utf8')).toBe('kept');
    // Where no link is on the way, it writes as ever.
    await store.put('alerts/dt=2024-11-26/d.jsonl.gz', new Uint8Array([4]));
    expect([...(await store.get('alerts/dt=2024-11-26/d.jsonl.gz'))]).toEqual([4]);
  });

  it('lists no symbolic link, a folder or a file, under the prefix: list and folders throw an Error naming it', async () => {
    const { root, outside } = archiveBeside();
    const store = new DirectoryArchiveStore(root);
    mkdirSync(join(outside, 'dt=2024-11-24'));
    writeFileSync(join(outside, 'dt=2024-11-24', 'x.jsonl.gz'), 'x');
    mkdirSync(join(root, 'events'));
    symlinkSync(outside, join(root, 'events', 'org=org-a'));
    await store.put('events/org=org-b/dt=2024-11-24/b.jsonl.gz', new Uint8Array([1]));
    await store.put('alerts/dt=2024-11-24/a.jsonl.gz', new Uint8Array([1]));
    symlinkSync(join(outside, 'dt=2024-11-24', 'x.jsonl.gz'), join(root, 'alerts', 'dt=2024-11-24', 'b.jsonl.gz'));

    // A linked folder met in a listing, or on the way to the folder listed.
    const folderLink = linkListed(root, 'events/org=org-a');
    await expect(collect(store.folders('events/org='))).rejects.toThrow(folderLink);
    await expect(collect(store.list('events/'))).rejects.toThrow(folderLink);
    await expect(collect(store.list('events/org=org-a/'))).rejects.toThrow(folderLink);
    await expect(collect(store.folders('events/org=org-a/dt='))).rejects.toThrow(folderLink);
    // A linked file.
    const fileLink = linkListed(root, 'alerts/dt=2024-11-24/b.jsonl.gz');
    await expect(collect(store.list('alerts/'))).rejects.toThrow(fileLink);
    await expect(collect(store.folders('alerts/dt=2024-11-24/'))).rejects.toThrow(fileLink);
    // A link outside the prefix is none of the listing's business, as in S3.
    expect(await collect(store.list('events/org=org-b/'))).toEqual(['events/org=org-b/dt=2024-11-24/b.jsonl.gz']);
    expect(await collect(store.folders('events/org=org-b'))).toEqual(['events/org=org-b/']);
    expect(await collect(store.list('alerts/dt=2024-11-24/a'))).toEqual(['alerts/dt=2024-11-24/a.jsonl.gz']);
  });

  it('ends a reading with the error naming a linked folder, with or without an organization', async () => {
    const { root, outside } = archiveBeside();
    const line = archivedEvent({
      organizationId: 'org-a',
      messageId: 'm-1',
      source: 'poller',
      receivedAt: new Date('2024-11-24T10:00:00Z'),
      event: { id: 'e1', type: 'login.failed' },
    });
    mkdirSync(join(outside, 'dt=2024-11-24'));
    writeFileSync(join(outside, 'dt=2024-11-24', 'ab.jsonl.gz'), gzipLines([encodeEventLine(line)]));
    mkdirSync(join(root, 'events'));
    symlinkSync(outside, join(root, 'events', 'org=org-a'));
    const store = new DirectoryArchiveStore(root);
    for (const org of [undefined, 'org-a']) {
      const reading = readArchivedEvents(store, {
        from: new Date('2024-11-24T00:00:00Z'),
        to: new Date('2024-11-25T00:00:00Z'),
        ...(org === undefined ? {} : { org }),
        onProblem: () => {},
      });
      await expect(collect(reading)).rejects.toThrow(linkListed(root, 'events/org=org-a'));
    }
  });

  it('may itself be a symbolic link: only links below it are refused', async () => {
    const parent = directory();
    mkdirSync(join(parent, 'real'));
    symlinkSync('real', join(parent, 'linked'));
    const store = new DirectoryArchiveStore(join(parent, 'linked'));
    await store.put('alerts/dt=2024-11-24/a.jsonl.gz', new Uint8Array([5]));
    expect(readdirSync(join(parent, 'real', 'alerts', 'dt=2024-11-24'))).toEqual(['a.jsonl.gz']);
    expect(await collect(store.list('alerts/'))).toEqual(['alerts/dt=2024-11-24/a.jsonl.gz']);
    expect(await collect(store.list(''))).toEqual(['alerts/dt=2024-11-24/a.jsonl.gz']);
    expect(await collect(store.folders('alerts/'))).toEqual(['alerts/dt=2024-11-24/']);
    expect([...(await store.get('alerts/dt=2024-11-24/a.jsonl.gz'))]).toEqual([5]);
  });
});
