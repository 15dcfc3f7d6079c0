import { printable } from '../../shared/printable.ts';
import { PantherDetectionError } from '../panther/errors.ts';
import { readTests } from '../panther/tests.ts';
import { parseYamlFile } from '../panther/parse-yaml.ts';
import type { Entry, YamlFile } from '../panther/yaml-file.ts';
import type { RuleTestFile } from '../testing/test-file.ts';
import { SigmaRuleError } from './errors.ts';

/**
 * Reads a Sigma document's `tests` key: this project's addition to Sigma, which has no test format.
 * It holds a list of tests in Panther's format (`Name`, `ExpectedResult`, `Log` or `Events`,
 * `ExpectedSeverity`, `ExpectedTitle`, `ExpectedDedup`, `ExpectedAlertContext`, `Reason`), exactly
 * what a Panther file's `Tests` holds, read by the same reader (`readTests`, which calls
 * `parseRuleTestFile`), for the rule `ruleId`.
 *
 * How: that reader reads a whole Panther file, so it is handed one made of the `tests` entry alone,
 * on the lines where it was written (earlier lines left empty, the key spelled `Tests`, a `RuleID`
 * after it): its problems are then reported at their line in the Sigma file. The `tests` key must
 * be a key of the document's top-level block mapping (at the start of its line), as Sigma rules
 * are written.
 *
 * @example
 * ```ts
 * const tests = readSigmaTests(file, testsEntry, 'Custom.Key.Burst');
 * for (const test of tests.tests) runRuleTest(catalog, tests.ruleId, test);
 * ```
 */
export function readSigmaTests(file: YamlFile, entry: Entry, ruleId: string): RuleTestFile {
  const keyRange = entry.keySite.node?.range ?? undefined;
  const valueEnd = entry.value.node?.range?.[1];
  const start = keyRange?.[0];
  if (
    keyRange === undefined ||
    start === undefined ||
    valueEnd === undefined ||
    (start > 0 && file.text[start - 1] !== '\n')
  ) {
    return file.fail(
      entry.keySite,
      'write `tests:` at the start of a line, as a key of the document (a block mapping)',
    );
  }
  const before = file.text.slice(0, start).split('\n').length - 1;
  const text = `${'\n'.repeat(before)}Tests${file.text.slice(keyRange[1], valueEnd)}\nRuleID: ${JSON.stringify(ruleId)}\n`;
  try {
    const panther = parseYamlFile(text, file.source);
    const tests = panther.entries(panther.root).find((e) => e.key === 'Tests');
    return readTests(panther, ruleId, tests?.value);
  } catch (error) {
    if (!(error instanceof PantherDetectionError)) throw error;
    // The reader names the key `Tests`, as Panther spells it; the file says `tests`.
    const prefix = `${printable(file.source)}:`;
    const message = error.message.startsWith(prefix)
      ? prefix + error.message.slice(prefix.length).replace(/^(\d+: )Tests/, '$1tests')
      : error.message;
    throw new SigmaRuleError(message, { cause: error });
  }
}
