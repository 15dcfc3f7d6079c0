/**
 * A rule test file cannot be used: not YAML, or not in the panther-analysis test format. The
 * message names the file, the path inside it and the reason.
 *
 * @example
 * ```ts
 * try { parseRuleTestFile(text, file); } catch (e) { if (e instanceof RuleTestFileError) ... }
 * ```
 */
export class RuleTestFileError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'RuleTestFileError';
  }
}
