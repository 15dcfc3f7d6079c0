import { loadCatalogConfig } from '../../../config/rules-config-file.ts';
import { createRuleCatalog } from '../../../detection/rules/create-rule-catalog.ts';
import { RuleTestFileError } from '../../../detection/testing/errors.ts';
import { checkPantherMetadata, runRuleTest } from '../../../detection/testing/run-test.ts';
import { parseRuleTestFile } from '../../../detection/testing/test-file.ts';
import { printable, quote } from '../../../shared/printable.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

/**
 * `test FILE...`: runs the Tests of Panther-format rule files against the rules of the same id.
 * One line per test, then `N passed, M failed`. Returns the exit status.
 *
 * @example
 * ```ts
 * const status = await testCommand(['rule.yml'], io); // prints "8 passed, 0 failed"
 * ```
 */
export async function testCommand(files: readonly string[], io: CliIo): Promise<number> {
  if (files.length === 0) {
    io.stderr('test: needs at least one rule YAML FILE; see --help\n');
    return EXIT_USAGE;
  }
  const catalog = createRuleCatalog(loadCatalogConfig(io.env));
  let passed = 0;
  let failed = 0;
  let fileErrors = 0;
  for (const file of files) {
    const source = printable(file);
    let parsed;
    try {
      parsed = parseRuleTestFile(await io.readFile(file), source);
    } catch (error) {
      fileErrors++;
      const message =
        error instanceof RuleTestFileError
          ? error.message
          : `${source}: cannot read: ${error instanceof Error ? printable(error.message) : 'unreadable'}`;
      io.stderr(`test: ${message}\n`);
      continue;
    }
    if (!catalog.getRule(parsed.ruleId)) {
      fileErrors++;
      const known = catalog.rules.map((rule) => rule.id).join(', ');
      io.stderr(`test: ${source}: unknown RuleID ${quote(parsed.ruleId)} (known: ${known})\n`);
      continue;
    }
    for (const check of checkPantherMetadata(catalog, parsed)) {
      const label = `${parsed.ruleId}: metadata ${check.key}`;
      if (check.ok && check.note === undefined) {
        passed++;
        io.stdout(`PASS  ${label} = ${printable(check.ours, 200)}\n`);
      } else if (check.ok) {
        passed++;
        io.stdout(
          `PASS  ${label}: Panther ${printable(check.panther, 200)}, ours ${printable(check.ours, 200)} (deliberate: ${printable(check.note ?? '', 300)})\n`,
        );
      } else {
        failed++;
        io.stdout(`FAIL  ${label}: Panther ${printable(check.panther, 200)}, ours ${printable(check.ours, 200)}\n`);
      }
    }
    for (const test of parsed.tests) {
      const result = runRuleTest(catalog, parsed.ruleId, test);
      const label = `${parsed.ruleId}: ${printable(result.name)}`;
      if (result.passed) {
        passed++;
        io.stdout(`PASS  ${label}\n`);
      } else {
        failed++;
        const why = test.reason === undefined ? '' : ` (why: ${printable(test.reason, 200)})`;
        io.stdout(`FAIL  ${label} -- ${result.failures.map((f) => printable(f, 400)).join('; ')}${why}\n`);
      }
    }
  }
  io.stdout(`${passed} passed, ${failed} failed\n`);
  return failed === 0 && fileErrors === 0 ? EXIT_OK : EXIT_FAILURE;
}
