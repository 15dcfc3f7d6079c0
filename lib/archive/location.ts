import { quote } from '../shared/printable.ts';
import { normalizeS3Prefix } from './s3-prefix.ts';

/**
 * Where an archive is: an S3 bucket and prefix, or a local directory in the same layout.
 *
 * @example
 * ```ts
 * const location: ArchiveLocation = { kind: 's3', bucket: 'audit-archive', prefix: 'prod' };
 * ```
 */
export type ArchiveLocation =
  | {
      readonly kind: 's3';
      readonly bucket: string;
      /** Without leading or trailing `/`; `''` for none. */
      readonly prefix: string;
    }
  | { readonly kind: 'directory'; readonly path: string };

/** S3's rules for a bucket name (general purpose buckets): 3-63 lower-case letters, digits, dots and hyphens. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Why a text is not an S3 bucket name (general purpose buckets), or `undefined` when it is one.
 *
 * @example
 * ```ts
 * bucketProblem('audit-archive'); // undefined
 * bucketProblem('a..b');          // 'the bucket name "a..b" has two dots in a row'
 * ```
 */
export function bucketProblem(bucket: string): string | undefined {
  if (bucket === '') return 'the bucket name is missing';
  if (!BUCKET.test(bucket))
    return `the bucket name ${quote(bucket, 80)} is not one: 3-63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit`;
  if (bucket.includes('..')) return `the bucket name ${quote(bucket, 80)} has two dots in a row`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return `the bucket name ${quote(bucket, 80)} is an IP address`;
  return undefined;
}

/**
 * Reads the CLI's `--archive` value: `s3://BUCKET[/PREFIX]` (a trailing `/` is ignored), or else a
 * directory path. Says precisely what is wrong: an empty value, another URL scheme, a bucket name
 * S3 would refuse, an empty segment in the prefix. Pure: whether the directory exists is checked
 * when it is opened.
 *
 * @example
 * ```ts
 * parseArchiveLocation('s3://audit-archive/prod/'); // { location: { kind: 's3', bucket: 'audit-archive', prefix: 'prod' } }
 * parseArchiveLocation('./archive');                // { location: { kind: 'directory', path: './archive' } }
 * parseArchiveLocation('s3://Bad_Bucket');          // { problem: 'the bucket name "Bad_Bucket" is not one: ...' }
 * ```
 */
export function parseArchiveLocation(
  text: string,
): { readonly location: ArchiveLocation } | { readonly problem: string } {
  if (text.trim() === '') return { problem: 'it is empty: give s3://BUCKET[/PREFIX] or a directory' };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1];
  if (scheme === undefined) return { location: { kind: 'directory', path: text } };
  if (scheme.toLowerCase() !== 's3')
    return { problem: `${quote(`${scheme}://`)} is not supported: give s3://BUCKET[/PREFIX] or a directory` };
  const rest = text.slice(scheme.length + 3);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const problem = bucketProblem(bucket);
  if (problem !== undefined) return { problem };
  const prefix = slash < 0 ? '' : normalizeS3Prefix(rest.slice(slash + 1));
  if (prefix.includes('//')) return { problem: `the prefix ${quote(prefix, 200)} has an empty segment ("//")` };
  return { location: { kind: 's3', bucket, prefix } };
}

/**
 * A location as the user wrote it, for messages: `s3://BUCKET/PREFIX` or the directory path.
 *
 * @example
 * ```ts
 * describeArchiveLocation({ kind: 's3', bucket: 'audit-archive', prefix: 'prod' }); // 's3://audit-archive/prod'
 * ```
 */
export function describeArchiveLocation(location: ArchiveLocation): string {
  if (location.kind === 'directory') return location.path;
  return location.prefix === '' ? `s3://${location.bucket}` : `s3://${location.bucket}/${location.prefix}`;
}
