import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipBytes } from '../../../scripts/bench/zip-size.ts';

// The zip writer the Serverless Framework packages functions with (a dependency of osls).
const require = createRequire(join(import.meta.dirname, '../../../node_modules/osls/package.json'));
const yazl = require('yazl') as {
  ZipFile: new () => {
    addReadStream(stream: NodeJS.ReadableStream, name: string, options: { mode: number; mtime: Date }): void;
    end(): void;
    outputStream: NodeJS.ReadableStream;
  };
};

describe('zipBytes', () => {
  it('counts the bytes of the zip the packager writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-size-'));
    const files = {
      'dist/x/index.mjs': 'export const a = 1;\n'.repeat(500),
      'dist/x/index.mjs.map': JSON.stringify({ version: 3, mappings: 'AAAA;'.repeat(300) }),
      'dist/x/empty.mjs': '',
    };
    const { mkdirSync, createReadStream } = await import('node:fs');
    mkdirSync(join(dir, 'dist/x'), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const zip = new yazl.ZipFile();
    for (const name of Object.keys(files))
      zip.addReadStream(createReadStream(join(dir, name)), name, { mode: 0o100644, mtime: new Date(0) });
    zip.end();
    let written = 0;
    for await (const chunk of zip.outputStream) written += (chunk as Buffer).length;
    expect(zipBytes(dir, Object.keys(files))).toBe(written);
  });
});
