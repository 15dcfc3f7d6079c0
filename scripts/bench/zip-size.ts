// The size of a function's deployment package as the Serverless Framework writes it (yazl: each
// file deflated at level 6, streamed with a data descriptor, then the central directory with a
// timestamp field per file), computed without writing it: the same byte count as the .zip that
// `npm run package` writes, as checked against it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

const LOCAL_HEADER = 30;
const DATA_DESCRIPTOR = 16;
const CENTRAL_RECORD = 46;
/** yazl's Info-ZIP timestamp, in each central directory record. */
const CENTRAL_TIMESTAMP = 9;
const END_OF_CENTRAL_DIRECTORY = 22;

/**
 * Bytes of the zip holding `files` (paths relative to `root`, as they are named in the archive).
 *
 * @example
 * ```ts
 * zipBytes(root, ['dist/detect/index.mjs', 'dist/detect/index.mjs.map']);
 * ```
 */
export function zipBytes(root: string, files: readonly string[]): number {
  let total = END_OF_CENTRAL_DIRECTORY;
  for (const file of files) {
    const name = Buffer.byteLength(file);
    const compressed = deflateRawSync(readFileSync(join(root, file)), { level: 6 }).length;
    total += LOCAL_HEADER + name + compressed + DATA_DESCRIPTOR + CENTRAL_RECORD + CENTRAL_TIMESTAMP + name;
  }
  return total;
}
