import { printable, quote } from '../../shared/printable.ts';
import { PantherDetectionError } from './errors.ts';
import type { ScalarValue, YamlNode, YamlTree } from './yaml-tree.ts';

export type { ScalarValue } from './yaml-tree.ts';

/**
 * A place in the file: its node (aliases resolved), its path inside the file and its line,
 * so that every problem can be reported where it is. `node` is `undefined` for something missing,
 * reported at its parent's line.
 *
 * @example
 * ```ts
 * const site: Site = file.root; // { node, path: '', line: 1 }
 * ```
 */
export interface Site {
  readonly node: YamlNode | undefined;
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
 * path. It reads the YAML tree rather than its JavaScript value, because only the tree knows where
 * each value was written. Built from plain data (`parseYamlFile` parses text into it), so it needs
 * no YAML parser of its own.
 *
 * @example
 * ```ts
 * const file = parseYamlFile(text, 'rules/x.yml');
 * for (const entry of file.entries(file.root)) console.log(entry.key, entry.value.line);
 * ```
 */
export class YamlFile {
  public readonly source: string;
  /** The file as read. */
  public readonly text: string;
  readonly #root: YamlNode | undefined;
  #nodesRead = 0;

  private constructor(tree: YamlTree) {
    this.source = tree.source;
    this.text = tree.text;
    this.#root = tree.root;
  }

  /** The file of a parsed tree (`parseYamlTree`, or the same data read back from JSON). */
  public static fromTree(tree: YamlTree): YamlFile {
    return new YamlFile(tree);
  }

  /** The document's top-level node. */
  public get root(): Site {
    return this.#site(this.#root, '', this.#root?.line ?? 1);
  }

  /** Throws the problem at `site`: `<source>:<line>: <path>: <problem>`. */
  public fail(site: Site, problem: string): never {
    const where = site.path === '' ? '' : `${site.path}: `;
    throw new PantherDetectionError(`${printable(this.source)}:${site.line}: ${where}${problem}`);
  }

  /** What kind of node is at `site`. */
  public kind(site: Site): 'mapping' | 'list' | 'scalar' {
    const kind = site.node?.kind;
    return kind === 'mapping' || kind === 'list' ? kind : 'scalar';
  }

  /** The scalar at `site` (an empty value is `null`), or `undefined` when it is a mapping or list. */
  public scalar(site: Site): ScalarValue | undefined {
    const node = site.node;
    if (node === undefined) return null;
    if (node.kind !== 'scalar') return undefined;
    const value = node.value;
    if (value !== null && typeof value === 'object')
      return this.fail(site, `unsupported YAML value (${value.unsupported})`);
    return value;
  }

  /** The keys of the mapping at `site`, in order; fails when it is not a mapping. */
  public entries(site: Site, expected = 'a mapping'): Entry[] {
    const node = site.node;
    if (node?.kind !== 'mapping') return this.fail(site, `expected ${expected}, got ${this.describe(site)}`);
    this.#count(site, node.entries.length);
    return node.entries.map(({ key, value }) => {
      const keyValue = key.kind === 'scalar' ? key.value : undefined;
      const keySite: Site = { node: key, path: site.path, line: key.line };
      if (typeof keyValue !== 'string') this.fail(keySite, 'mapping keys must be strings');
      const path = memberPath(site.path, keyValue);
      return {
        key: keyValue,
        keySite: { ...keySite, path },
        value: this.#site(value, path, value?.line ?? key.line),
      };
    });
  }

  /** The items of the list at `site`; fails when it is not a list. */
  public items(site: Site, expected = 'a list'): Site[] {
    const node = site.node;
    if (node?.kind !== 'list') return this.fail(site, `expected ${expected}, got ${this.describe(site)}`);
    this.#count(site, node.items.length);
    return node.items.map((item, index) => this.#site(item, `${site.path}[${index}]`, item?.line ?? site.line));
  }

  /** A short name of what is at `site`, for "expected X, got Y" messages. */
  public describe(site: Site): string {
    const node = site.node;
    if (node?.kind === 'mapping' || node?.kind === 'list') return `a ${node.kind}`;
    const value = node?.kind === 'scalar' ? node.value : null;
    if (value === null) return 'nothing (null)';
    if (typeof value === 'number') return `the number ${String(value)}`;
    if (typeof value === 'boolean') return `the boolean ${String(value)}`;
    return typeof value === 'string' ? `the string ${quote(value, 60)}` : 'an unsupported YAML value';
  }

  #site(node: YamlNode | undefined, path: string, line: number): Site {
    const site = { node, path, line };
    if (node?.kind === 'missing-anchor') return this.fail(site, `alias *${printable(node.alias, 60)} names no anchor`);
    return site;
  }

  #count(site: Site, n: number): void {
    this.#nodesRead += n;
    if (this.#nodesRead > MAX_NODES_READ) {
      this.fail(site, `the file expands to more than ${MAX_NODES_READ} YAML nodes (through aliases?)`);
    }
  }
}
