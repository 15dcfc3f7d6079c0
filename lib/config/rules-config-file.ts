import { readFileSync } from 'node:fs';
import { RulesConfigError } from '../detection/engine/errors.ts';
import { parseRulesConfig, type RulesConfig } from './parse-rules-settings.ts';
import { createRuleCatalog, type CatalogConfig } from '../detection/rules/create-rule-catalog.ts';
import { printable } from '../shared/printable.ts';

/** Environment variable naming a JSON rules configuration file. */
export const RULES_CONFIG_FILE_ENV = 'RULES_CONFIG_FILE';

/** Environment variable holding the rules configuration JSON itself (the `rulesConfig` deploy parameter). */
export const RULES_CONFIG_ENV = 'RULES_CONFIG';

/**
 * The rules configuration in force: the JSON in `RULES_CONFIG`, or the file named by
 * `RULES_CONFIG_FILE`, else none. Validated against the catalog's rules, `ownRules` (a rules
 * folder's) included. Throws
 * {@link RulesConfigError} naming the variable, the file, the JSON path and the problem.
 *
 * @example
 * ```ts
 * const { rules, orgDomains } = loadRulesConfig(process.env);
 * ```
 */
export function loadRulesConfig(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
  ownRules: CatalogConfig['ownRules'] = [],
): RulesConfig {
  const file = env[RULES_CONFIG_FILE_ENV];
  const inline = env[RULES_CONFIG_ENV];
  // The rules a configuration may name; a catalog is made for them only when there is one to check
  // (without a configuration, the common case, that is a cold start's work saved).
  const known = () => createRuleCatalog({ ownRules }).knownRules;
  if (inline !== undefined && inline.trim() !== '') {
    if (file !== undefined && file !== '')
      throw new RulesConfigError(`${RULES_CONFIG_ENV} and ${RULES_CONFIG_FILE_ENV} are both set; set one`);
    return parseRulesConfig(inline, RULES_CONFIG_ENV, known());
  }
  if (file === undefined || file === '') return { rules: {}, orgDomains: [] };
  const source = `${RULES_CONFIG_FILE_ENV}=${printable(file)}`;
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    throw new RulesConfigError(
      `${source}: cannot read the rules configuration: ${error instanceof Error ? printable(error.message) : 'unreadable'}`,
    );
  }
  return parseRulesConfig(text, source, known());
}
