import type { CorrelationRule, Rule } from '../engine/rule.ts';
import type { AuditEvent } from '../openai/audit-event.ts';
import type { IgnoredKey } from '../panther/compile.ts';
import type { RuleTestFile } from '../testing/test-file.ts';
import { printable } from '../../shared/printable.ts';
import { assemble } from './assemble.ts';
import { splitDocuments } from './documents.ts';
import { asSigmaErrors, SigmaRuleError } from './errors.ts';
import { readDocument } from './read-document.ts';
import { readSigmaTests } from './tests.ts';

export { SigmaRuleError };

/**
 * What a Sigma file compiles to.
 *
 * @example
 * ```ts
 * const { rules, tests, ignoredKeys }: CompiledSigma = compileSigmaFile(text, file);
 * ```
 */
export interface CompiledSigma {
  /** Rules to register in a RuleCatalog, in dependency order (a correlation after the rules it reads). */
  readonly rules: ReadonlyArray<Rule<AuditEvent> | CorrelationRule<AuditEvent>>;
  /** The tests of the file's documents (`tests:`, Panther's test format), one file per rule that has any. */
  readonly tests: readonly RuleTestFile[];
  /**
   * Keys that have no effect here, and parts of keys the engine cannot enforce, with the reason,
   * for the caller to show as warnings (the Panther compiler's `IgnoredKey`).
   */
  readonly ignoredKeys: readonly IgnoredKey[];
}

/**
 * Compiles one YAML file holding one Sigma rule, or several YAML documents (a correlation rule and
 * the rules it references, as Sigma allows), into rules of this engine for OpenAI audit events,
 * and reads their tests. Pure: no I/O; the detection is compiled once into closures over the event
 * as received (`event.raw`), which never throw.
 *
 * - A rule needs `title`, an `id` or `name` (the rule id is the `name`, else `Sigma.<id>`),
 *   `logsource: { product: openai, service: audit }`, a `detection` and, when it alerts, a `level`.
 * - Field names are OpenAI's own paths (`actor.session.ip_address`); the payload is named by the
 *   event's type, dotted (`api_key.created.data.scopes`) or with underscores (Panther's shape).
 * - Correlations: `event_count` and `value_count` become threshold rules, `temporal` and
 *   `temporal_ordered` correlation rules over signals.
 * - Everything the compiler cannot honour is an error naming the file, the line, the path in the
 *   document and why: `<source>:<line>: <path>: <problem>`. Keys without effect are returned in
 *   `ignoredKeys`.
 *
 * The supported subset and every mapping are listed in lib/detection/sigma/README.md.
 *
 * @example
 * ```ts
 * const { rules, tests } = compileSigmaFile(readFileSync(file, 'utf8'), file);
 * const catalog = new RuleCatalog().register(openAiAuditLogType, rules);
 * for (const file of tests) for (const test of file.tests) runRuleTest(catalog, file.ruleId, test);
 * ```
 */
export function compileSigmaFile(text: string, source: string): CompiledSigma {
  return asSigmaErrors(() => {
    const documents = splitDocuments(text, source).map(({ file }) => readDocument(file));
    if (documents.length === 0) throw new SigmaRuleError(`${printable(source)}:1: the file holds no Sigma rule`);
    const { rules, registered, ignoredKeys } = assemble(documents);
    const tests: RuleTestFile[] = [];
    for (const doc of documents) {
      if (doc.tests === undefined) continue;
      const ruleId = registered.get(doc);
      if (ruleId === undefined) {
        return doc.file.fail(
          doc.tests.keySite,
          'this rule is not registered on its own (the correlation that references it counts its matches): put the tests in the correlation, or set generate: true',
        );
      }
      const file = readSigmaTests(doc.file, doc.tests, ruleId);
      if (file.tests.length > 0) tests.push(file);
    }
    return { rules, tests, ignoredKeys };
  });
}
