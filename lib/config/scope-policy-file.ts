import { readFileSync } from 'node:fs';
import { DEFAULT_SCOPE_POLICY } from '../detection/rules/openai/default-scope-policy.ts';
import { ScopePolicyError } from '../detection/rules/openai/errors.ts';
import { parseScopePolicy } from './parse-scope-policy.ts';
import type { ScopePolicy } from '../detection/rules/openai/scope-policy.ts';
import { printable } from '../shared/printable.ts';

/** Environment variable naming a JSON file that replaces (or extends) the default scope policy. */
export const SCOPE_POLICY_FILE_ENV = 'ELEVATED_SCOPE_POLICY_FILE';

/** Environment variable holding the policy JSON itself (handy for a Lambda deploy parameter). */
export const SCOPE_POLICY_ENV = 'ELEVATED_SCOPE_POLICY';

/**
 * The elevated-scope policy in force: the JSON in `ELEVATED_SCOPE_POLICY`, or the file named by
 * `ELEVATED_SCOPE_POLICY_FILE`, else the default. Throws {@link ScopePolicyError} naming the
 * variable, the file and the problem; setting both variables is an error too.
 *
 * @example
 * ```ts
 * const catalog = createRuleCatalog({ scopePolicy: loadScopePolicy(process.env) });
 * ```
 */
export function loadScopePolicy(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ScopePolicy {
  const file = env[SCOPE_POLICY_FILE_ENV];
  const inline = env[SCOPE_POLICY_ENV];
  if (inline !== undefined && inline !== '') {
    if (file !== undefined && file !== '') {
      throw new ScopePolicyError(`${SCOPE_POLICY_ENV} and ${SCOPE_POLICY_FILE_ENV} are both set; set one`);
    }
    return parseScopePolicy(inline, SCOPE_POLICY_ENV);
  }
  if (file === undefined || file === '') return DEFAULT_SCOPE_POLICY;
  const source = `${SCOPE_POLICY_FILE_ENV}=${printable(file)}`;
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    const reason = error instanceof Error ? printable(error.message) : 'unreadable';
    throw new ScopePolicyError(`${source}: cannot read the policy file: ${reason}`);
  }
  return parseScopePolicy(text, source);
}
