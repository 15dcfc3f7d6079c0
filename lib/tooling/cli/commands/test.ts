import { loadCatalogConfig } from '../../../config/catalog-config.ts';
import { createRuleCatalog } from '../../../detection/rules/create-rule-catalog.ts';
import { RuleTestFileError } from '../../../detection/testing/errors.ts';
import { checkPantherMetadata, runRuleTest } from '../../../detection/testing/run-test.ts';
import { parseRuleTestFile, type RuleTestFile } from '../../../detection/testing/test-file.ts';
import type { RuleCatalog } from '../../../detection/engine/catalog.ts';
import { stat } from 'node:fs/promises';
import { RULES_DIR_ENV } from '../../../config/rules-dir.ts';
import { compileGlob, globMatches } from '../../../detection/rules/openai/glob.ts';
import { directoryFiles } from '../directory-files.ts';
import { DETECTION_FILE, loadOwnDetections } from '../../../config/rules-folder.ts';
import { printable, quote } from '../../../shared/printable.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

/** Counts of a run. */
interface Tally {
  passed: number;
  failed: number;
}

/** Runs one file's metadata checks and tests against the catalog, one line each. */
function runTests(catalog: RuleCatalog, parsed: RuleTestFile, io: CliIo, tally: Tally, checkMetadata: boolean): void {
  if (checkMetadata)
    for (const check of checkPantherMetadata(catalog, parsed)) {
      const label = `${printable(parsed.ruleId)}: metadata ${check.key}`;
      if (check.ok && check.note === undefined) {
        tally.passed++;
        io.stdout(`PASS  ${label} = ${printable(check.ours, 200)}\n`);
      } else if (check.ok) {
        tally.passed++;
        io.stdout(
          `PASS  ${label}: Panther ${printable(check.panther, 200)}, ours ${printable(check.ours, 200)} (deliberate: ${printable(check.note ?? '', 300)})\n`,
        );
      } else {
        tally.failed++;
        io.stdout(`FAIL  ${label}: Panther ${printable(check.panther, 200)}, ours ${printable(check.ours, 200)}\n`);
      }
    }
  for (const test of parsed.tests) {
    const result = runRuleTest(catalog, parsed.ruleId, test);
    const label = `${printable(parsed.ruleId)}: ${printable(result.name)}`;
    if (result.passed) {
      tally.passed++;
      io.stdout(`PASS  ${label}\n`);
    } else {
      tally.failed++;
      const why = test.reason === undefined ? '' : ` (why: ${printable(test.reason, 200)})`;
      io.stdout(`FAIL  ${label} -- ${result.failures.map((f) => printable(f, 400)).join('; ')}${why}\n`);
    }
  }
}

/**
 * `test [FILE|DIR...] [--rules DIR] [--filter GLOB]`: runs the Tests of Panther-format rule files
 * (a DIR: its `.yml` and `.yaml` files, at every level) against the rules of the same id, and with
 * a rules folder (`--rules`, `RULES_DIR`) the tests of every detection in it first; `--filter` keeps
 * the rules whose id matches the glob (`*` any run of characters). One line per test, then
 * `N passed, M failed`. Returns the exit status.
 *
 * @example
 * ```ts
 * const status = await testCommand(['rule.yml'], io); // prints "8 passed, 0 failed"
 * ```
 */
export async function testCommand(
  inputs: readonly string[],
  io: CliIo,
  options: Record<string, string | boolean | undefined> = {},
): Promise<number> {
  const folder = io.env[RULES_DIR_ENV] ?? '';
  if (inputs.length === 0 && folder === '') {
    io.stderr('test: needs at least one rule YAML FILE or DIR, or --rules DIR; see --help\n');
    return EXIT_USAGE;
  }
  const filter = typeof options.filter === 'string' ? options.filter : undefined;
  const glob = filter === undefined ? undefined : compileGlob(filter);
  const selected = (ruleId: string) => glob === undefined || globMatches(glob, ruleId);
  const detections = loadOwnDetections(io.env);
  const catalog = createRuleCatalog(loadCatalogConfig(io.env, detections));
  const tally: Tally = { passed: 0, failed: 0 };
  let fileErrors = 0;
  let rulesRun = 0;
  for (const { file, tests, ignoredKeys } of detections) {
    // Every file's warnings, whatever its tests and the filter: nothing it ignores is silent.
    for (const ignored of ignoredKeys)
      io.stderr(`test: ${printable(file)}:${ignored.line}: ${ignored.key} has no effect here: ${ignored.reason}\n`);
    const chosen = tests.filter((testFile) => selected(testFile.ruleId));
    rulesRun += chosen.length;
    for (const testFile of chosen) runTests(catalog, testFile, io, tally, false);
  }
  const files: string[] = [];
  for (const input of inputs) {
    try {
      files.push(...((await stat(input)).isDirectory() ? await directoryFiles(input, DETECTION_FILE) : [input]));
    } catch {
      files.push(input); // reported below as a file it cannot read
    }
  }
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
    if (!selected(parsed.ruleId)) continue;
    rulesRun++;
    runTests(catalog, parsed, io, tally, true);
  }
  io.stdout(`${tally.passed} passed, ${tally.failed} failed\n`);
  if (filter !== undefined && rulesRun === 0) {
    io.stderr(`test: --filter ${quote(filter)} matches no rule of the files given\n`);
    return EXIT_FAILURE;
  }
  return tally.failed === 0 && fileErrors === 0 ? EXIT_OK : EXIT_FAILURE;
}
