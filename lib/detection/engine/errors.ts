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
