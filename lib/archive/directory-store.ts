import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArchiveStore } from './store.ts';

/** Characters a key may not hold in a directory store: a NUL, or Windows' separator. */
const UNSAFE_KEY_CHARS = /[\0\\]/;

/**
 * Why a key cannot name a file below the store's directory, or `undefined` when it can: it must be
 * relative, its segments non-empty, none `.` or `..` and none hidden (`.name`: the store's own
 * temporary files), with no NUL and no backslash.
 *
 * @example
 * ```ts
 * directoryKeyProblem('events/org=none/dt=2024-11-24/ab.jsonl.gz'); // undefined
 * directoryKeyProblem('../outside');                                 // 'a segment is "." or ".." or starts with "."'
 * ```
 */
export function directoryKeyProblem(key: string): string | undefined {
  if (key === '') return 'it is empty';
  if (UNSAFE_KEY_CHARS.test(key)) return 'it holds a NUL or a backslash';
  const segments = key.split('/');
  if (segments.some((segment) => segment === '')) return 'a segment is empty (a leading, trailing or double "/")';
  if (segments.some((segment) => segment.startsWith('.'))) return 'a segment is "." or ".." or starts with "."';
  return undefined;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * The archive in a local directory, in the same layout as the bucket (`DIR/events/org=.../dt=.../
 * <id>.jsonl.gz`): for a copy of the bucket (`aws s3 sync`), for tests, for hunting offline. A
 * write goes to a hidden temporary file in the object's folder (folders are created as needed),
 * then is renamed over the key, so a reader never sees half an object. Listing skips hidden files.
 *
 * The store holds no symbolic links: one below the directory (a folder `events` -> `../elsewhere`)
 * would let a write land outside it and a listing read another tree as the archive, so `put`
 * refuses to write through one, and `list` and `folders` throw an `Error` naming a link they meet
 * rather than skip it (a reader ends with that error). The directory itself may be a link.
 *
 * @example
 * ```ts
 * const store = new DirectoryArchiveStore('./archive');
 * await store.put('alerts/dt=2024-11-24/7885288cb029e201331629ee3b2b2a39.jsonl.gz', body);
 * ```
 */
export class DirectoryArchiveStore implements ArchiveStore {
  readonly #root: string;

  public constructor(root: string) {
    this.#root = root;
  }

  /** The directory the store is. */
  public get root(): string {
    return this.#root;
  }

  public async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.#path(key);
    // Checked before mkdir, which would follow a link too and create folders outside.
    const link = await this.#linkAlong(key.split('/'));
    if (link !== undefined)
      throw new Error(
        `refusing to write ${JSON.stringify(key)} in the directory archive ${JSON.stringify(this.#root)} through the symbolic link ${JSON.stringify(link)}: the archive holds no links`,
      );
    const folder = dirname(path);
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `.${randomUUID()}.tmp`);
    try {
      await writeFile(temporary, body);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  public async *list(prefix: string): AsyncGenerator<string> {
    const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const keys: string[] = [];
    if (await this.#listable(base)) await this.#collect(base, prefix, keys);
    yield* keys.sort(compareText);
  }

  public async *folders(prefix: string): AsyncGenerator<string> {
    const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    if (!(await this.#listable(base))) return;
    const folders: string[] = [];
    for (const entry of await this.#entries(base)) {
      const folder = `${base}${entry.name}/`;
      if (!folder.startsWith(prefix)) continue;
      this.#refuseLink(entry, `${base}${entry.name}`);
      if (entry.isDirectory()) folders.push(folder);
    }
    yield* folders.sort(compareText);
  }

  public async get(key: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.#path(key)));
  }

  /** Appends to `keys` every file below the folder `base` (a key prefix ending in `/`, or `''`) whose key starts with `prefix`. */
  async #collect(base: string, prefix: string, keys: string[]): Promise<void> {
    for (const entry of await this.#entries(base)) {
      const key = `${base}${entry.name}`;
      // A link outside the prefix is no part of this listing (below the base, all are inside).
      if (key.startsWith(prefix)) this.#refuseLink(entry, key);
      if (entry.isDirectory()) {
        // Only folders whose keys can start with the prefix.
        if (`${key}/`.startsWith(prefix)) await this.#collect(`${key}/`, prefix, keys);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        keys.push(key);
      }
    }
  }

  /**
   * Whether the folder `base` (a key prefix ending in `/`, or `''`) can hold keys: `false` when
   * it is no key's folder (one that does not exist lists as empty). Throws when a folder on its
   * path below the root is a symbolic link, which `readdir` would follow.
   */
  async #listable(base: string): Promise<boolean> {
    if (base === '') return true;
    if (directoryKeyProblem(base.slice(0, -1)) !== undefined) return false;
    const link = await this.#linkAlong(base.slice(0, -1).split('/'));
    if (link !== undefined) throw this.#linkError(link);
    return true;
  }

  /**
   * The first of the paths `root/s1`, `root/s1/s2`, ... of `segments` (checked key segments) that
   * is a symbolic link, as a key (`events/org=a`), or `undefined` when none is (those that do not
   * exist are none). The root itself is not checked: a user may name the archive by a link.
   */
  async #linkAlong(segments: readonly string[]): Promise<string | undefined> {
    let path = this.#root;
    for (const [index, segment] of segments.entries()) {
      path = join(path, segment);
      try {
        if ((await lstat(path)).isSymbolicLink()) return segments.slice(0, index + 1).join('/');
      } catch (error) {
        // Nothing exists below a missing path, or below a file: no link there.
        if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
        throw error;
      }
    }
    return undefined;
  }

  /** Throws when the entry (whose key is `key`) is a symbolic link: a listing neither follows nor hides one. */
  #refuseLink(entry: Dirent, key: string): void {
    if (entry.isSymbolicLink()) throw this.#linkError(key);
  }

  #linkError(key: string): Error {
    return new Error(
      `the directory archive ${JSON.stringify(this.#root)} holds a symbolic link, ${JSON.stringify(key)}, which it does not follow: replace the link with the folder or file it points to`,
    );
  }

  /** The visible entries of the folder `base` (a listable one); none when it does not exist. */
  async #entries(base: string): Promise<Dirent[]> {
    try {
      const entries = await readdir(base === '' ? this.#root : join(this.#root, ...base.slice(0, -1).split('/')), {
        withFileTypes: true,
      });
      return entries.filter((entry) => !entry.name.startsWith('.'));
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw error;
    }
  }

  #path(key: string): string {
    const problem = directoryKeyProblem(key);
    if (problem !== undefined) throw new Error(`not a key of a directory archive: ${JSON.stringify(key)}: ${problem}`);
    return join(this.#root, ...key.split('/'));
  }
}
