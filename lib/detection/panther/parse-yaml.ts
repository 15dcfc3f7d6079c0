import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { printable } from '../../shared/printable.ts';
import { PantherDetectionError } from './errors.ts';
import { YamlFile } from './yaml-file.ts';
import type { YamlNode, YamlTree } from './yaml-tree.ts';

/**
 * How YAML is read: the 1.2 core schema (no implicit dates, as JSON sees the values), duplicate keys
 * refused, errors with their line.
 */
export const YAML_OPTIONS = { schema: 'core', uniqueKeys: true, prettyErrors: true } as const;

/** Converts the library's nodes to {@link YamlNode}s, resolving aliases, each node once. */
class TreeBuilder {
  readonly #document: Document.Parsed;
  readonly #lines: LineCounter;
  // One plain node per library node: an alias read twice is one node, so aliases cannot make the
  // tree bigger than the text (YamlFile limits how much of it is read).
  readonly #built = new Map<Node, YamlNode>();

  constructor(document: Document.Parsed, lines: LineCounter) {
    this.#document = document;
    this.#lines = lines;
  }

  node(node: Node | null | undefined, fallbackLine: number): YamlNode | undefined {
    if (node === null || node === undefined) return undefined;
    if (isAlias(node)) {
      const target = node.resolve(this.#document) as Node | undefined;
      const line = this.#lineOf(node, fallbackLine);
      if (target === undefined) return { kind: 'missing-anchor', line, alias: node.source };
      // The node it names, at the alias's line: a problem inside it is reported where it is used.
      const resolved = this.node(target, line);
      return resolved === undefined ? undefined : { ...resolved, line };
    }
    const done = this.#built.get(node);
    if (done !== undefined) return done;
    const line = this.#lineOf(node, fallbackLine);
    const range = node.range ? ([node.range[0], node.range[1]] as const) : undefined;
    const where = range === undefined ? { line } : { line, range };
    if (isMap(node)) {
      const entries: Array<{ key: YamlNode; value: YamlNode | undefined }> = [];
      const built: YamlNode = { kind: 'mapping', ...where, entries };
      this.#built.set(node, built);
      for (const pair of node.items) {
        // A key written as an alias is not a string key: refused, as a duplicate key could hide behind it.
        const key: YamlNode = isAlias(pair.key)
          ? { kind: 'scalar', line: this.#lineOf(pair.key, line), value: { unsupported: 'alias' } }
          : (this.node(pair.key as Node | null, line) ?? { kind: 'scalar', line, value: null });
        entries.push({ key, value: this.node(pair.value as Node | null, key.line) });
      }
      return built;
    }
    if (isSeq(node)) {
      const items: Array<YamlNode | undefined> = [];
      const built: YamlNode = { kind: 'list', ...where, items };
      this.#built.set(node, built);
      for (const item of node.items) items.push(this.node(item as Node | null, line));
      return built;
    }
    const value: unknown = isScalar(node) ? node.value : undefined;
    const scalar: YamlNode = {
      kind: 'scalar',
      ...where,
      value:
        value === null || ['string', 'number', 'boolean'].includes(typeof value)
          ? (value as string | number | boolean | null)
          : { unsupported: typeof value },
    };
    this.#built.set(node, scalar);
    return scalar;
  }

  #lineOf(node: Node, fallback: number): number {
    const offset = node.range?.[0];
    return offset === undefined ? fallback : this.#lines.linePos(offset).line;
  }
}

/**
 * One parsed document of `text` as plain data (see {@link parseYamlTree}); its lines are the
 * text's. Throws {@link PantherDetectionError} when the document does not parse.
 *
 * @example
 * ```ts
 * const lines = new LineCounter();
 * for (const document of parseAllDocuments(text, { lineCounter: lines })) documentTree(document, lines, text, source);
 * ```
 */
export function documentTree(document: Document.Parsed, lines: LineCounter, text: string, source: string): YamlTree {
  const [first] = document.errors;
  if (first !== undefined) {
    const line = first.linePos?.[0].line ?? 1;
    // The library's first line ends with "at line N, column M:", which the prefix already says.
    const message = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new PantherDetectionError(`${printable(source)}:${line}: not valid YAML: ${printable(message)}`);
  }
  const line = lines.linePos(document.range[0]).line;
  return { source, text, root: new TreeBuilder(document, lines).node(document.contents, line) };
}

/**
 * Parses `text` with the YAML 1.2 core schema (no implicit dates, as JSON sees the values) and
 * duplicate keys refused, into plain data with each node's line. Throws
 * {@link PantherDetectionError} for YAML that does not parse: `rules/x.yml:3: not valid YAML: ...`.
 *
 * @example
 * ```ts
 * const tree = parseYamlTree('RuleID: Custom.X\n', 'rules/x.yml');
 * tree.root; // { kind: 'mapping', line: 1, entries: [...] }
 * ```
 */
export function parseYamlTree(text: string, source: string): YamlTree {
  const lines = new LineCounter();
  const document = parseDocument(text, { ...YAML_OPTIONS, lineCounter: lines });
  return documentTree(document, lines, text, source);
}

/**
 * Parses `text` (see {@link parseYamlTree}) into a {@link YamlFile} that reports problems at their
 * line and path.
 *
 * @example
 * ```ts
 * const file = parseYamlFile(text, 'rules/x.yml');
 * for (const entry of file.entries(file.root)) console.log(entry.key, entry.value.line);
 * ```
 */
export function parseYamlFile(text: string, source: string): YamlFile {
  return YamlFile.fromTree(parseYamlTree(text, source));
}
