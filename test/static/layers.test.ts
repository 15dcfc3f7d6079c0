// The domains of lib/ in their order: a module imports only from its own domain and the ones
// before it, so lib/shared stands alone and nothing below depends on what sits above it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const DOMAINS = ['shared', 'detection', 'ingestion', 'pipeline', 'delivery', 'config', 'tooling'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** `lib/<domain>/...` of each relative import of a file (static and dynamic, type-only included). */
function importedDomains(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1] ?? '');
  return specifiers
    .map((specifier) => relative(join(root, 'lib'), resolve(dirname(file), specifier)).split('/')[0] ?? '')
    .filter((domain) => DOMAINS.includes(domain));
}

describe('lib/', () => {
  it('has only the known domains', () => {
    const found = readdirSync(join(root, 'lib'), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(found.map((e) => e.name).sort()).toEqual([...DOMAINS].sort());
  });

  it(`imports in one direction: ${DOMAINS.join(' < ')}`, () => {
    const upward = sources(join(root, 'lib')).flatMap((file) => {
      const domain = relative(join(root, 'lib'), file).split('/')[0] ?? '';
      return importedDomains(file)
        .filter((target) => DOMAINS.indexOf(target) > DOMAINS.indexOf(domain))
        .map((target) => `${relative(root, file)} imports lib/${target}`);
    });
    expect(upward).toEqual([]);
  });
});
