/**
 * A catalog was assembled wrongly (duplicate rule id, a rule on a log type it does not declare,
 * impossible metadata). Raised at start-up, never while evaluating events.
 *
 * @example
 * ```ts
 * try { catalog.register(logType, rules); } catch (e) { if (e instanceof CatalogError) ... }
 * ```
 */
export class CatalogError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

/**
 * A rules configuration is unusable. The message names the source (variable or file), the JSON
 * path and the problem, e.g. `RULES_CONFIG_FILE=rules.json: rules["X"]: unknown rule id (known: ...)`.
 *
 * @example
 * ```ts
 * try { parseRulesSettings(text, file, known); } catch (e) { if (e instanceof RulesConfigError) ... }
 * ```
 */
export class RulesConfigError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'RulesConfigError';
  }
}
