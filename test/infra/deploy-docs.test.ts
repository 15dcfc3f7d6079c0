// docs/deploy.md documents every deploy parameter serverless.yml declares: the package refuses any
// other name, so a parameter missing from the docs could not be found by the people who need it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const root = join(import.meta.dirname, '../..');

describe('docs/deploy.md', () => {
  it('names every parameter of serverless.yml params.default, in backticks', () => {
    // serverless.yml holds ${...} variables and CloudFormation tags: read the params block as data only.
    const text = readFileSync(join(root, 'serverless.yml'), 'utf8');
    const block = text.slice(text.indexOf('\nparams:'), text.indexOf('\ncustom:'));
    const declared = Object.keys(
      (parseDocument(block).toJS() as { params: { default: Record<string, unknown> } }).params.default,
    );
    const docs = readFileSync(join(root, 'docs/deploy.md'), 'utf8');
    expect(declared.length).toBeGreaterThan(40);
    expect(declared.filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });
});
