/**
 * Environment variable naming a folder of detections of your own (the CLI's `--rules DIR`). Kept
 * apart from the folder's loader so code that only names it loads no YAML parser.
 *
 * @example
 * ```ts
 * const dir = process.env[RULES_DIR_ENV];
 * ```
 */
export const RULES_DIR_ENV = 'RULES_DIR';
