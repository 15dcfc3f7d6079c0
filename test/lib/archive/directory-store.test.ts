// The archive in a local directory: the same contract as S3, files in the same layout, written
// atomically (a temporary file renamed over the key), keys that could leave the directory refused.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryArchiveStore, directoryKeyProblem } from '../../../lib/archive/index.ts';
import { storeContract } from './store-contract.ts';

const directory = () => mkdtempSync(join(tmpdir(), 'archive-dir-'));

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
});
