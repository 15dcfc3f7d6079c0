import { printable } from '../../shared/printable.ts';

/**
 * A parsed Sigma condition: a selection by name, `not`, `and`, `or`, or a `1 of` / `all of` over
 * the selections whose names match a pattern (`them`: every selection not starting with `_`).
 *
 * @example
 * ```ts
 * const tree: ConditionNode = parseCondition('selection and not 1 of filter_*') as ConditionNode;
 * ```
 */
export type ConditionNode =
  | { readonly kind: 'selection'; readonly name: string }
  | { readonly kind: 'not'; readonly operand: ConditionNode }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly ConditionNode[] }
  | { readonly kind: 'of'; readonly quantifier: 'one' | 'all'; readonly pattern: string };

interface Token {
  readonly text: string;
  /** 1-based character position in the condition, for messages. */
  readonly at: number;
}

/** Names and patterns: pySigma's identifier characters, plus `*` for patterns. */
const WORD = /[A-Za-z0-9_*-]+/y;
const OPERATORS = new Set(['and', 'or', 'not', 'of', 'them']);
/** Parentheses deeper than this are refused: no real condition needs it, and it bounds the recursion. */
const MAX_DEPTH = 64;

class ConditionSyntaxError extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ text: ch, at: i + 1 });
      i++;
    } else if (ch === '|') {
      throw new ConditionSyntaxError(
        `'|' at character ${i + 1}: aggregations in the condition (count() by ..., near) are deprecated by the specification; write a correlation rule`,
      );
    } else {
      WORD.lastIndex = i;
      const match = WORD.exec(text);
      if (match === null) throw new ConditionSyntaxError(`unexpected '${printable(ch)}' at character ${i + 1}`);
      tokens.push({ text: match[0], at: i + 1 });
      i += match[0].length;
    }
  }
  return tokens;
}

class Parser {
  readonly #tokens: readonly Token[];
  #at = 0;
  #depth = 0;

  public constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  public parse(): ConditionNode {
    const node = this.#or();
    const extra = this.#tokens[this.#at];
    if (extra !== undefined) {
      const hint = OPERATORS.has(extra.text.toLowerCase()) ? ' (operators are lower case)' : '';
      this.#fail(extra, `expected 'and', 'or' or the end, got '${printable(extra.text)}'${hint}`);
    }
    return node;
  }

  #fail(token: Token | undefined, problem: string): never {
    throw new ConditionSyntaxError(
      token === undefined ? `${problem} at the end` : `${problem} at character ${token.at}`,
    );
  }

  #peek(text: string): boolean {
    return this.#tokens[this.#at]?.text === text;
  }

  // Precedence, least binding first (sigma-rules-specification.md, "Condition"): or, and, not, x of, ( ).
  #or(): ConditionNode {
    const operands = [this.#and()];
    while (this.#peek('or')) {
      this.#at++;
      operands.push(this.#and());
    }
    return operands.length === 1 ? (operands[0] as ConditionNode) : { kind: 'or', operands };
  }

  #and(): ConditionNode {
    const operands = [this.#not()];
    while (this.#peek('and')) {
      this.#at++;
      operands.push(this.#not());
    }
    return operands.length === 1 ? (operands[0] as ConditionNode) : { kind: 'and', operands };
  }

  #not(): ConditionNode {
    // A loop, not recursion: a condition of thousands of `not`s must not exhaust the stack.
    let negations = 0;
    while (this.#peek('not')) {
      this.#at++;
      negations++;
    }
    let node = this.#primary();
    for (let i = 0; i < negations; i++) node = { kind: 'not', operand: node };
    return node;
  }

  #primary(): ConditionNode {
    const token = this.#tokens[this.#at++];
    if (token === undefined) return this.#fail(token, 'expected a selection, a quantifier or (');
    if (token.text === '(') {
      if (++this.#depth > MAX_DEPTH) this.#fail(token, `parentheses nested deeper than ${MAX_DEPTH}`);
      const inner = this.#or();
      const close = this.#tokens[this.#at++];
      if (close?.text !== ')') this.#fail(close, `expected ')' closing the '(' at character ${token.at}`);
      this.#depth--;
      return inner;
    }
    if (token.text === ')') this.#fail(token, "unexpected ')'");
    if (this.#peek('of')) return this.#of(token);
    if (token.text === 'near')
      this.#fail(token, "'near' is a deprecated aggregation; write a temporal correlation rule");
    if (OPERATORS.has(token.text)) this.#fail(token, `expected a selection, got '${token.text}'`);
    if (token.text.includes('*')) this.#fail(token, `a pattern ('${printable(token.text)}') needs '1 of' or 'all of'`);
    return { kind: 'selection', name: token.text };
  }

  #of(quantifier: Token): ConditionNode {
    this.#at++;
    const target = this.#tokens[this.#at++];
    if (
      target === undefined ||
      target.text === '(' ||
      target.text === ')' ||
      (OPERATORS.has(target.text) && target.text !== 'them')
    ) {
      this.#fail(target, "expected 'them' or a selection pattern after 'of'");
    }
    if (quantifier.text === '1' || quantifier.text === 'any')
      return { kind: 'of', quantifier: 'one', pattern: target.text };
    if (quantifier.text === 'all') return { kind: 'of', quantifier: 'all', pattern: target.text };
    if (/^\d+$/.test(quantifier.text)) {
      return this.#fail(
        quantifier,
        `'${quantifier.text} of' is not in the specification, which has '1 of' and 'all of'`,
      );
    }
    return this.#fail(quantifier, `expected '1', 'any' or 'all' before 'of', got '${printable(quantifier.text)}'`);
  }
}

/**
 * Parses a Sigma condition (sigma-rules-specification.md, "Condition"): selection names, `and`,
 * `or`, `not`, parentheses, `1 of <pattern>` / `all of <pattern>` (`any of` as pySigma also
 * reads it) and `them`, with `not` binding tighter than `and`, and `and` than `or`. Operators are
 * lower case, as pySigma reads them. Returns the tree, or the syntax error (with its character
 * position); the aggregation pipe (`| count() > 5`) and `near` are refused, as the specification
 * replaced them with correlation rules.
 *
 * @example
 * ```ts
 * parseCondition('a or b and not c'); // or(a, and(b, not(c)))
 * parseCondition('a and');            // "expected a selection, a quantifier or ( at the end"
 * ```
 */
export function parseCondition(text: string): ConditionNode | string {
  try {
    const tokens = tokenize(text);
    if (tokens.length === 0) return 'empty condition';
    return new Parser(tokens).parse();
  } catch (error) {
    if (error instanceof ConditionSyntaxError) return error.message;
    throw error;
  }
}
