import { RuleTestFileError } from '../testing/errors.ts';
import { parseRuleTestFile, type RuleTestFile } from '../testing/test-file.ts';
import type { Site, YamlFile } from './yaml-file.ts';

/** `Tests[3] ("name").ExpectedResult: problem`, as parseRuleTestFile words its messages. */
const TEST_PROBLEM = /^Tests\[(\d+)\]( \("(?:[^"\\]|\\.)*"\))?((?:\.[A-Za-z]+)*): (.*)$/s;

/** The site of `Tests[index].Key` (or of `Tests[index]`), for the line of a test's problem. */
function testSite(file: YamlFile, tests: Site, index: number, key: string | undefined): Site {
  const test = file.items(tests)[index];
  if (test === undefined) return tests;
  if (key === undefined || file.kind(test) !== 'mapping') return test;
  return file.entries(test).find((entry) => entry.key === key)?.value ?? test;
}

/** Re-throws parseRuleTestFile's error at its line in the file, in this compiler's format. */
function relocate(file: YamlFile, tests: Site, error: RuleTestFileError): never {
  const prefix = `${file.source}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const match = TEST_PROBLEM.exec(message);
  if (match === null) {
    const problem = message.startsWith('Tests: ') ? message.slice('Tests: '.length) : message;
    return file.fail(tests, problem);
  }
  const [, index = '0', name = '', keys = '', problem = ''] = match;
  const site = testSite(file, tests, Number(index), keys.split('.')[1]);
  return file.fail({ ...site, path: `${tests.path}[${index}]${name}${keys}` }, problem);
}

/**
 * The file's `Tests`, read by the project's own reader of Panther test files (`parseRuleTestFile`),
 * so they run through `runRuleTest` as any rule's tests (it leaves a simple detection's `Detection`
 * alone); its errors are reported at their line.
 * A file without `Tests` (or with an empty list), which Panther accepts, has no tests.
 *
 * @example
 * ```ts
 * const tests = readTests(file, 'Custom.SCIM.Disabled', testsSite);
 * for (const test of tests.tests) runRuleTest(catalog, tests.ruleId, test);
 * ```
 */
export function readTests(file: YamlFile, ruleId: string, tests: Site | undefined): RuleTestFile {
  if (tests === undefined) return { ruleId, tests: [] };
  if (file.items(tests, 'a list of tests').length === 0) return { ruleId, tests: [] };
  try {
    return parseRuleTestFile(file.text, file.source);
  } catch (error) {
    if (error instanceof RuleTestFileError) return relocate(file, tests, error);
    throw error;
  }
}
