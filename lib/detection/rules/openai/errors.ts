/**
 * An elevated-scope policy file is unusable. The message names the source, the JSON path of the
 * problem and what was expected, e.g. `policy.json: elevatedScopes[2].severity: expected one of
 * INFO, LOW, MEDIUM, HIGH, CRITICAL, got "SEVERE"`.
 *
 * @example
 * ```ts
 * try { parseScopePolicy(text, 'policy.json'); } catch (e) { if (e instanceof ScopePolicyError) ... }
 * ```
 */
export class ScopePolicyError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ScopePolicyError';
  }
}
