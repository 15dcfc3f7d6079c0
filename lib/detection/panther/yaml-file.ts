import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { printable, quote } from '../../shared/printable.ts';
import { PantherDetectionError } from './errors.ts';

/**
 * A place in the file: its node (resolved through aliases), its path inside the file and its line,
 * so that every problem can be reported where it is. `node` is `undefined` for something missing,
 * reported at its parent's line.
 *
 * @example
 * ```ts
 * const site: Site = file.root; // { node, path: '', line: 1 }
 * ```
 */
export interface Site {
  readonly node: Node | undefined;
  /** Path inside the file, e.g. `Detection[1].Any[0]`; empty for the document itself. */
  readonly path: string;
  /** 1-based line. */
  readonly line: number;
}

/**
 * One key of a mapping: the key's own place (for "unknown key" messages) and its value's.
 *
 * @example
 * ```ts
 * const entries: Entry[] = file.entries(file.root);
 * for (const entry of entries) console.log(entry.key, entry.value.line);
 * ```
 */
export interface Entry {
  readonly key: string;
  readonly keySite: Site;
  readonly value: Site;
}

/**
 * What a YAML scalar holds under the core schema.
 *
 * @example
 * ```ts
 * const value: ScalarValue | undefined = file.scalar(site); // 'rule', 5, true or null
 * ```
 */
export type ScalarValue = string | number | boolean | null;

/**
 * Aliases can make a small file expand into a huge tree ("billion laughs"): past this many nodes
 * read, the file is refused instead of compiled.
 */
const MAX_NODES_READ = 50_000;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The path of a mapping's member: `Parent.Key`, or `Parent["odd key"]` when the key is not a plain
 * word (quoted, so that a key from the file cannot forge a path or carry control characters).
 *
 * @example
 * ```ts
 * memberPath('Detection[0]', 'Key'); // 'Detection[0].Key'
 * memberPath('', 'a b');             // '["a b"]'
 * ```
 */
export function memberPath(parent: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent}[${quote(key, 60)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * A parsed YAML file that reports every problem as a {@link PantherDetectionError} at a line and a
 * path. It reads the YAML tree itself rather than its JavaScript value, because only the tree
 * knows where each value was written.
 *
 * @example
 * ```ts
 * const file = YamlFile.parse(text, 'rules/x.yml');
 * for (const entry of file.entries(file.root)) console.log(entry.key, entry.value.line);
 * ```
 */
export class YamlFile {
  public readonly source: string;
  /** The file as read. */
  public readonly text: string;
  public readonly document: Document.Parsed;
  readonly #lines: LineCounter;
  #nodesRead = 0;

  private constructor(source: string, text: string, document: Document.Parsed, lines: LineCounter) {
    this.source = source;
    this.text = text;
    this.document = document;
    this.#lines = lines;
  }

  /**
   * Parses `text` with the YAML 1.2 core schema (no implicit dates, as JSON sees the values) and
   * duplicate keys refused. Throws {@link PantherDetectionError} for YAML that does not parse.
   */
  public static parse(text: string, source: string): YamlFile {
    const lines = new LineCounter();
    const document = parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: true, lineCounter: lines });
    const [first] = document.errors;
    if (first !== undefined) {
      const line = first.linePos?.[0].line ?? 1;
      // The library's first line ends with "at line N, column M:", which the prefix already says.
      const message = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      throw new PantherDetectionError(`${printable(source)}:${line}: not valid YAML: ${printable(message)}`);
    }
    return new YamlFile(source, text, document, lines);
  }

  /** The document's top-level node. */
  public get root(): Site {
    const contents = this.document.contents ?? undefined;
    return this.#site(contents, '', this.#lineOf(contents, 1));
  }

  /** Throws the problem at `site`: `<source>:<line>: <path>: <problem>`. */
  public fail(site: Site, problem: string): never {
    const where = site.path === '' ? '' : `${site.path}: `;
    throw new PantherDetectionError(`${printable(this.source)}:${site.line}: ${where}${problem}`);
  }

  /** What kind of node is at `site`. */
  public kind(site: Site): 'mapping' | 'list' | 'scalar' {
    if (isMap(site.node)) return 'mapping';
    if (isSeq(site.node)) return 'list';
    return 'scalar';
  }

  /** The scalar at `site` (an empty value is `null`), or `undefined` when it is a mapping or list. */
  public scalar(site: Site): ScalarValue | undefined {
    if (site.node === undefined) return null;
    if (!isScalar(site.node)) return undefined;
    const value: unknown = site.node.value;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as ScalarValue;
    return this.fail(site, `unsupported YAML value (${typeof value})`);
  }

  /** The keys of the mapping at `site`, in order; fails when it is not a mapping. */
  public entries(site: Site, expected = 'a mapping'): Entry[] {
    const node = site.node;
    if (!isMap(node)) return this.fail(site, `expected ${expected}, got ${this.describe(site)}`);
    this.#count(site, node.items.length);
    return node.items.map((pair) => {
      const keyNode = pair.key as Node | null;
      const keyValue: unknown = isScalar(keyNode) ? keyNode.value : undefined;
      const keySite = this.#site(keyNode ?? undefined, site.path, this.#lineOf(keyNode ?? undefined, site.line));
      if (typeof keyValue !== 'string') this.fail(keySite, 'mapping keys must be strings');
      const path = memberPath(site.path, keyValue);
      const valueNode = (pair.value as Node | null) ?? undefined;
      return {
        key: keyValue,
        keySite: { ...keySite, path },
        value: this.#site(valueNode, path, this.#lineOf(valueNode, keySite.line)),
      };
    });
  }

  /** The items of the list at `site`; fails when it is not a list. */
  public items(site: Site, expected = 'a list'): Site[] {
    const node = site.node;
    if (!isSeq(node)) return this.fail(site, `expected ${expected}, got ${this.describe(site)}`);
    this.#count(site, node.items.length);
    return node.items.map((item, index) => {
      const itemNode = (item as Node | null) ?? undefined;
      return this.#site(itemNode, `${site.path}[${index}]`, this.#lineOf(itemNode, site.line));
    });
  }

  /** A short name of what is at `site`, for "expected X, got Y" messages. */
  public describe(site: Site): string {
    const kind = this.kind(site);
    if (kind !== 'scalar') return `a ${kind}`;
    const value: unknown = isScalar(site.node) ? site.node.value : null;
    if (value === null || value === undefined) return 'nothing (null)';
    if (typeof value === 'number') return `the number ${String(value)}`;
    if (typeof value === 'boolean') return `the boolean ${String(value)}`;
    return typeof value === 'string' ? `the string ${quote(value, 60)}` : 'an unsupported YAML value';
  }

  #site(node: Node | undefined, path: string, line: number): Site {
    if (isAlias(node)) {
      const target = node.resolve(this.document) as Node | undefined;
      if (target === undefined) {
        return this.fail({ node, path, line }, `alias *${printable(node.source, 60)} names no anchor`);
      }
      return { node: target, path, line };
    }
    return { node, path, line };
  }

  #count(site: Site, n: number): void {
    this.#nodesRead += n;
    if (this.#nodesRead > MAX_NODES_READ) {
      this.fail(site, `the file expands to more than ${MAX_NODES_READ} YAML nodes (through aliases?)`);
    }
  }

  #lineOf(node: Node | undefined, fallback: number): number {
    const offset = node?.range?.[0];
    return offset === undefined ? fallback : this.#lines.linePos(offset).line;
  }
}
