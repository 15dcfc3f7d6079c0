// A file of several YAML documents: each read on its own, every problem reported at its line in
// the file.
import { describe, expect, it } from 'vitest';
import { splitDocuments, type SigmaDocument } from '../../../../lib/detection/sigma/documents.ts';
import { compileSigmaFile, SigmaRuleError } from '../../../../lib/detection/sigma/index.ts';
import type { YamlNode } from '../../../../lib/detection/panther/yaml-tree.ts';
import { base, compileError, correlation } from './helpers.ts';

/** A node's content as JavaScript. */
function nodeJs(node: YamlNode | undefined): unknown {
  if (node === undefined) return null;
  if (node.kind === 'list') return node.items.map(nodeJs);
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'missing-anchor') return undefined;
  return Object.fromEntries(node.entries.map(({ key, value }) => [nodeJs(key), nodeJs(value)]));
}

/** A document's content as JavaScript. */
const toJs = (doc: SigmaDocument): unknown => nodeJs(doc.file.root.node);

describe('splitDocuments', () => {
  it('splits at --- and keeps the lines of the file', () => {
    const docs = splitDocuments('a: 1\n---\nb: 2\n---\n# only a comment\n---\n\nc: 3\n', 'x.yml');
    expect(docs.map((d) => [d.line, d.file.root.line, toJs(d)])).toEqual([
      [1, 1, { a: 1 }],
      [2, 3, { b: 2 }],
      [6, 8, { c: 3 }],
    ]);
  });

  it('skips an empty first or last document, and handles ... and directives', () => {
    expect(splitDocuments('---\na: 1\n---\n', 'x.yml').map((d) => toJs(d))).toEqual([{ a: 1 }]);
    // A directive belongs to the document after it, which starts at its `---`.
    expect(splitDocuments('a: 1\n...\n%YAML 1.2\n---\nb: 2\n', 'x.yml').map((d) => [d.line, toJs(d)])).toEqual([
      [1, { a: 1 }],
      [4, { b: 2 }],
    ]);
  });

  it('refuses more than 10,000 document markers before parsing, empty documents included', () => {
    expect(splitDocuments(`a: 1\n${'---\n'.repeat(10_000)}`, 'x.yml').map((d) => toJs(d))).toEqual([{ a: 1 }]);
    expect(() => splitDocuments(`a: 1\n${'---\n'.repeat(10_001)}`, 'x.yml')).toThrow(
      'x.yml:10002: more than 10000 YAML document markers in one file',
    );
  });

  it('handles CRLF line ends', () => {
    expect(splitDocuments('a: 1\r\n---\r\nb: 2\r\n', 'x.yml').map((d) => toJs(d))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('does not split at --- inside a block scalar', () => {
    const docs = splitDocuments('a: |\n  text\n  ---\n  more\n', 'x.yml');
    expect(docs.map((d) => toJs(d))).toEqual([{ a: 'text\n---\nmore\n' }]);
  });
});

describe('errors in a later document', () => {
  const text = [
    correlation(
      '  type: event_count\n  rules: [failed]\n  group-by: [actor.session.user.email]\n  timespan: 10m\n  condition:\n    gte: 5',
    ),
    base('failed', 'login.failed').replace('type: login.failed', 'type|bas64: login.failed'),
  ].join('---\n');

  it('are reported at their line in the file', () => {
    expect(compileError(text)).toBe(
      `rules/x.yml:19: detection.selection["type|bas64"]: unknown modifier 'bas64' (did you mean 'base64'?)`,
    );
  });

  it('are SigmaRuleErrors, YAML errors included', () => {
    expect(() => compileSigmaFile('title: a\n---\ntitle: [unclosed\n', 'x.yml')).toThrow(SigmaRuleError);
    expect(compileError('title: a\n---\ntitle: [unclosed\nlevel: low\n')).toMatch(
      /^rules\/x\.yml:[34]: not valid YAML/,
    );
    expect(compileError('a: 1\na: 2\n')).toMatch(/^rules\/x\.yml:2: not valid YAML: Map keys must be unique/);
  });

  it('refuses a file without a rule', () => {
    expect(compileError('# nothing\n')).toBe('rules/x.yml:1: the file holds no Sigma rule');
    expect(compileError('- a\n- b\n')).toMatch(/^rules\/x\.yml:1: expected a mapping of Sigma rule keys, got a list/);
  });
});
