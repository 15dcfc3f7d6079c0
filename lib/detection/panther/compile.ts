import type { Rule } from '../engine/rule.ts';
import type { AuditEvent } from '../openai/audit-event.ts';
import type { RuleTestFile } from '../testing/test-file.ts';
import { compilePantherRule, type IgnoredKey } from './compile-rule.ts';
import { parseYamlFile } from './parse-yaml.ts';
import { readTests } from './tests.ts';

export type { IgnoredKey } from './compile-rule.ts';

/**
 * What a Panther simple-detection file compiles to.
 *
 * @example
 * ```ts
 * const { rule, tests, ignoredKeys }: CompiledPantherDetection = compilePantherDetection(text, file);
 * ```
 */
export interface CompiledPantherDetection {
  /** Ready to register in a `RuleCatalog` under the `OpenAI.Audit` log type. */
  readonly rule: Rule<AuditEvent>;
  /** The file's `Tests`, for `runRuleTest` (none when the file has none). */
  readonly tests: RuleTestFile;
  /** Keys of the file that have no effect here, with the reason, for the caller to warn about. */
  readonly ignoredKeys: readonly IgnoredKey[];
}

/**
 * Compiles one Panther simple-detection YAML file into a rule of this engine (see
 * `compilePantherRule`) and reads its `Tests`. Throws `PantherDetectionError` on any problem,
 * naming the file, the line, the path inside the file and the problem: `rules/x.yml:14:
 * Detection[1].Any[0].Condition: unknown condition 'StartWith' (did you mean 'StartsWith'?)`.
 *
 * @example
 * ```ts
 * const { rule, tests } = compilePantherDetection(readFileSync(file, 'utf8'), file);
 * const catalog = new RuleCatalog().register(openAiAuditLogType, [rule]);
 * for (const test of tests.tests) runRuleTest(catalog, tests.ruleId, test);
 * ```
 */
export function compilePantherDetection(text: string, source: string): CompiledPantherDetection {
  const file = parseYamlFile(text, source);
  const { rule, ignoredKeys, tests } = compilePantherRule(file);
  return { rule, tests: readTests(file, rule.id, tests), ignoredKeys };
}
