/**
 * What a YAML scalar holds under the core schema.
 *
 * @example
 * ```ts
 * const value: ScalarValue = 'rule'; // or 5, true, null
 * ```
 */
export type ScalarValue = string | number | boolean | null;

/**
 * A node of a parsed YAML file, as plain data: its kind, its value or members, its 1-based line,
 * and its place in the text (`[start, end of value]`, character offsets) when it was written there.
 * Aliases are already resolved: an alias is the node it names (or `missing-anchor`). Plain data, so a file checked at
 * build time can be shipped as JSON and compiled without a YAML parser.
 *
 * @example
 * ```ts
 * const node: YamlNode = { kind: 'scalar', value: 'rule', line: 1, range: [14, 18] };
 * ```
 */
export type YamlNode =
  | {
      readonly kind: 'mapping';
      readonly line: number;
      readonly range?: readonly [number, number];
      readonly entries: ReadonlyArray<{ readonly key: YamlNode; readonly value: YamlNode | undefined }>;
    }
  | {
      readonly kind: 'list';
      readonly line: number;
      readonly range?: readonly [number, number];
      readonly items: ReadonlyArray<YamlNode | undefined>;
    }
  | {
      readonly kind: 'scalar';
      readonly line: number;
      readonly range?: readonly [number, number];
      /** The value, or `{ unsupported }` naming the JavaScript type of a value JSON cannot hold. */
      readonly value: ScalarValue | { readonly unsupported: string };
    }
  | {
      /** An alias whose anchor the file does not define: an error where it is read. */
      readonly kind: 'missing-anchor';
      readonly line: number;
      readonly range?: readonly [number, number];
      readonly alias: string;
    };

/**
 * A parsed YAML file as plain data: its name, its text, and its top-level node (`undefined` for
 * an empty document).
 *
 * @example
 * ```ts
 * const tree: YamlTree = parseYamlTree(text, 'rules/x.yml');
 * const file = YamlFile.fromTree(tree);
 * ```
 */
export interface YamlTree {
  readonly source: string;
  readonly text: string;
  readonly root: YamlNode | undefined;
}
