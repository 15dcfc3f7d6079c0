/**
 * An S3 key prefix as the archive keeps it: without leading or trailing `/`, and `''` for none.
 *
 * @example
 * ```ts
 * normalizeS3Prefix('/audit/archive/'); // 'audit/archive'
 * ```
 */
export function normalizeS3Prefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}
