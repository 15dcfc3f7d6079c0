import { PantherDetectionError } from '../panther/errors.ts';

/**
 * A Sigma file cannot be compiled. The message names the file, the line, the path inside the YAML
 * document and the problem, e.g.
 * `rules/keys.yml:12: detection.selection["name|base64"]: modifier 'base64' is not supported: ...`.
 * Values taken from the file go through `printable()` before they reach the message.
 *
 * @example
 * ```ts
 * try {
 *   compileSigmaFile(text, file);
 * } catch (error) {
 *   if (error instanceof SigmaRuleError) console.error(error.message);
 * }
 * ```
 */
export class SigmaRuleError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SigmaRuleError';
  }
}

/**
 * Runs `compile` and turns the errors of the YAML reader shared with the Panther compiler
 * (`YamlFile.fail` throws a `PantherDetectionError`, already in the `<source>:<line>: <path>:
 * <problem>` form) into {@link SigmaRuleError}s, so callers catch one error class per compiler.
 *
 * @example
 * ```ts
 * const compiled = asSigmaErrors(() => compileDocuments(text, source));
 * ```
 */
export function asSigmaErrors<T>(compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof PantherDetectionError) throw new SigmaRuleError(error.message, { cause: error });
    throw error;
  }
}
