import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files of a directory whose names match `pattern`, in name order, from every level below it:
 * what a command reads for a DIR argument.
 *
 * @example
 * ```ts
 * await directoryFiles('rules', /\.ya?ml$/i); // ['rules/a.yml', 'rules/identity/b.yml']
 * ```
 */
export async function directoryFiles(directory: string, pattern: RegExp): Promise<string[]> {
  const names = (await readdir(directory, { recursive: true })).filter((name) => pattern.test(name)).sort();
  const files: string[] = [];
  for (const name of names) {
    const path = join(directory, name);
    if ((await stat(path)).isFile()) files.push(path);
  }
  return files;
}
