import { stat } from 'node:fs/promises';
import { quote } from '../shared/printable.ts';
import { DirectoryArchiveStore } from './directory-store.ts';
import type { ArchiveLocation } from './location.ts';
import type { ArchiveStore } from './store.ts';

/**
 * The store of a location, for the CLI. A directory must exist (a problem otherwise: reading a
 * mistyped path would silently find nothing). For S3, an `S3Client` from the default credential
 * chain and region; with a custom endpoint in `env` (`AWS_ENDPOINT_URL_S3`, else
 * `AWS_ENDPOINT_URL`: an emulator, MinIO, LocalStack) path-style addressing, which those serve.
 * The S3 client is loaded only for an S3 location.
 *
 * @example
 * ```ts
 * const opened = await openArchiveStore({ kind: 's3', bucket: 'audit-archive', prefix: '' }, process.env);
 * if ('store' in opened) for await (const key of opened.store.list('alerts/')) console.log(key);
 * ```
 */
export async function openArchiveStore(
  location: ArchiveLocation,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ readonly store: ArchiveStore } | { readonly problem: string }> {
  if (location.kind === 'directory') {
    try {
      if (!(await stat(location.path)).isDirectory()) return { problem: `${quote(location.path)} is not a directory` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return {
        problem:
          code === 'ENOENT'
            ? `no directory ${quote(location.path)}`
            : `cannot open ${quote(location.path)}: ${code ?? 'unreadable'}`,
      };
    }
    return { store: new DirectoryArchiveStore(location.path) };
  }
  const [{ S3Client }, { S3ArchiveStore }] = await Promise.all([import('@aws-sdk/client-s3'), import('./s3-store.ts')]);
  const endpoint = env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  const client = new S3Client(endpoint === undefined ? {} : { endpoint, forcePathStyle: true });
  return { store: new S3ArchiveStore(client, location.bucket, location.prefix) };
}
