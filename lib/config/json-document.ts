import { typeName } from '../shared/describe-error.ts';
import { isJsonObject, ownValue, type JsonObject } from '../shared/json.ts';
import { printable, quote } from '../shared/printable.ts';

/** The error a configuration's reader throws, e.g. `RulesConfigError`. */
export type ConfigErrorClass = new (message: string) => Error;

/** What {@link JsonNode.object} checks besides the type. */
export interface ObjectExpectation {
  /** The keys it may have; any other is refused, naming these. */
  readonly allowed?: readonly string[];
  /** What the message says was expected (default `an object`, `a JSON object` for the document). */
  readonly expected?: string;
}

/**
 * One value of a JSON configuration document, with its path from the document's root
 * (`rules["X"].suppress.sourceCidrs[2]`), so that each check fails with `SOURCE: PATH: problem`
 * (`SOURCE: problem` for the document itself), as the configuration's own error class.
 *
 * @example
 * ```ts
 * const root = JsonNode.parse(text, 'policy.json', ScopePolicyError);
 * root.object({ allowed: ['includeDefaults', 'elevatedScopes'] });
 * const include = root.at('includeDefaults').boolean(); // policy.json: includeDefaults: expected a boolean, got string
 * ```
 */
export class JsonNode {
  public readonly value: unknown;
  /** e.g. `elevatedScopes[0].severity`; empty for the document itself. */
  public readonly path: string;
  readonly #source: string;
  readonly #error: ConfigErrorClass;

  private constructor(value: unknown, path: string, source: string, error: ConfigErrorClass) {
    this.value = value;
    this.path = path;
    this.#source = source;
    this.#error = error;
  }

  /**
   * The document in `text`, read from `source` (a file or variable name, for messages); fails with
   * `SOURCE: not valid JSON (...)`.
   *
   * @example
   * ```ts
   * const root = JsonNode.parse('{"rules": {}}', 'RULES_CONFIG', RulesConfigError);
   * ```
   */
  public static parse(text: string, source: string, error: ConfigErrorClass): JsonNode {
    const root = new JsonNode(undefined, '', source, error);
    try {
      return new JsonNode(JSON.parse(text), '', source, error);
    } catch (cause) {
      return root.fail(`not valid JSON (${cause instanceof Error ? printable(cause.message) : 'parse error'})`);
    }
  }

  /**
   * Throws the configuration's error: `SOURCE: PATH: problem`.
   *
   * @example
   * ```ts
   * node.fail('is empty; blank scopes never match');
   * ```
   */
  public fail(problem: string): never {
    throw new this.#error(`${this.#source}: ${this.path ? `${this.path}: ` : ''}${problem}`);
  }

  /** Whether the value is there (a key that is absent reads as `undefined`). */
  public get present(): boolean {
    return this.value !== undefined;
  }

  /**
   * The member `key` of this object (`undefined` when absent or when this is no object): path
   * `PATH.key`.
   *
   * @example
   * ```ts
   * root.at('rules').path; // 'rules'
   * ```
   */
  public at(key: string): JsonNode {
    return this.#child(
      isJsonObject(this.value) ? ownValue(this.value, key) : undefined,
      this.path ? `${this.path}.${key}` : key,
    );
  }

  /**
   * The member `key` of an object used as a map: path `PATH["key"]`.
   *
   * @example
   * ```ts
   * rules.entry('OpenAI.Login.Failed').path; // 'rules["OpenAI.Login.Failed"]'
   * ```
   */
  public entry(key: string): JsonNode {
    return this.#child(
      isJsonObject(this.value) ? ownValue(this.value, key) : undefined,
      `${this.path}[${JSON.stringify(key)}]`,
    );
  }

  /**
   * The value as an object; fails when it is not one, or has a key not `allowed` (naming the first).
   *
   * @example
   * ```ts
   * node.object({ allowed: ['exact', 'glob', 'severity', 'note'] });
   * ```
   */
  public object(expectation: ObjectExpectation = {}): JsonObject {
    const { value } = this;
    if (!isJsonObject(value))
      return this.#expected(expectation.expected ?? (this.path ? 'an object' : 'a JSON object'));
    const { allowed } = expectation;
    const extra = allowed && Object.keys(value).find((key) => !allowed.includes(key));
    if (extra !== undefined) this.fail(`unknown key ${quote(extra)} (allowed: ${allowed?.join(', ')})`);
    return value;
  }

  /**
   * The members of an object used as a map, each at `PATH["key"]`, in document order.
   *
   * @example
   * ```ts
   * for (const rule of root.at('rules').entries({ expected: 'an object keyed by rule id' })) ...
   * ```
   */
  public entries(expectation: ObjectExpectation = {}): Array<[string, JsonNode]> {
    return Object.keys(this.object(expectation)).map((key) => [key, this.entry(key)]);
  }

  /**
   * The items of an array, each at `PATH[i]`; fails with `expected WHAT, got TYPE` otherwise.
   *
   * @example
   * ```ts
   * const entries = root.at('elevatedScopes').items();
   * ```
   */
  public items(what = 'an array'): JsonNode[] {
    const { value } = this;
    if (!Array.isArray(value)) return this.#expected(what);
    return value.map((item: unknown, index) => this.#child(item, `${this.path}[${index}]`));
  }

  /**
   * The value as a boolean.
   *
   * @example
   * ```ts
   * node.boolean('true or false'); // ...: expected true or false, got string
   * ```
   */
  public boolean(what = 'a boolean'): boolean {
    return typeof this.value === 'boolean' ? this.value : this.#expected(what);
  }

  /**
   * The value as a string for which `valid` holds.
   *
   * @example
   * ```ts
   * node.string('a non-empty string', (s) => s.trim() !== '');
   * ```
   */
  public string(what = 'a string', valid: (text: string) => boolean = () => true): string {
    return typeof this.value === 'string' && valid(this.value) ? this.value : this.#expected(what);
  }

  /**
   * The value as a number for which `valid` holds; fails naming the number it got.
   *
   * @example
   * ```ts
   * node.number('an integer from 1 to 200', (n) => Number.isInteger(n) && n >= 1 && n <= 200); // ...: got 500
   * ```
   */
  public number(what: string, valid: (value: number) => boolean): number {
    if (typeof this.value === 'number' && valid(this.value)) return this.value;
    return typeof this.value === 'number' ? this.fail(`expected ${what}, got ${this.value}`) : this.#expected(what);
  }

  /**
   * The value as `parse` reads it; fails with `expected WHAT, got "text"` (or the type when it is no
   * string).
   *
   * @example
   * ```ts
   * node.choice(parseSeverity, 'one of INFO, LOW, MEDIUM, HIGH, CRITICAL'); // ...: got "SEVERE"
   * ```
   */
  public choice<T>(parse: (value: unknown) => T | undefined, what: string): T {
    const parsed = parse(this.value);
    if (parsed !== undefined) return parsed;
    const got = typeof this.value === 'string' ? quote(this.value) : typeName(this.value);
    return this.fail(`expected ${what}, got ${got}`);
  }

  #expected(what: string): never {
    return this.fail(`expected ${what}, got ${typeName(this.value)}`);
  }

  #child(value: unknown, path: string): JsonNode {
    return new JsonNode(value, path, this.#source, this.#error);
  }
}
