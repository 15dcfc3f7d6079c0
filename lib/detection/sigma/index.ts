/**
 * Sigma rules for OpenAI audit logs: `compileSigmaFile` turns one Sigma YAML file (a rule, or a
 * correlation rule and the rules it references) into rules of this engine and their tests. The
 * implementation lives in `compile.ts` (code under lib/ imports that module directly: the
 * project's lint rule forbids importing an index.ts from lib/, see scripts/lint/project-boundaries.js).
 *
 * @example
 * ```ts
 * import { compileSigmaFile, SigmaRuleError } from './lib/detection/sigma/index.ts';
 * const { rules, tests } = compileSigmaFile(text, 'rules/api-key-all-scopes.yml');
 * ```
 */
export { compileSigmaFile, SigmaRuleError, type CompiledSigma } from './compile.ts';
