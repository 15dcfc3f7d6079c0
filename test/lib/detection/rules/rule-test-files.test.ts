// Runs every rule's YAML test cases (lib/detection/rules/**/*.tests.yml, and the Tests of the
// detections written as data in rules/), one vitest test per case, through the same engine path as
// live events.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_RULES_DIR } from '../../../../lib/detection/rules/built-in-trees.ts';
import { createRuleCatalog } from '../../../../lib/detection/rules/create-rule-catalog.ts';
import { runRuleTest } from '../../../../lib/detection/testing/run-test.ts';
import { parseRuleTestFile } from '../../../../lib/detection/testing/test-file.ts';

const root = join(import.meta.dirname, '../../../..');
const rulesDir = join(root, 'lib/detection/rules');
const files = [
  ...readdirSync(rulesDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.tests.yml'))
    .map((file) => join(rulesDir, file)),
  ...readdirSync(BUILT_IN_RULES_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yml'))
    .map((file) => join(BUILT_IN_RULES_DIR, file)),
].sort();
const catalog = createRuleCatalog();

describe('rule test files', () => {
  it('exist for every rule in the catalog', () => {
    const covered = new Set(files.map((file) => parseRuleTestFile(readFileSync(file, 'utf8'), file).ruleId));
    expect([...covered].sort()).toEqual(catalog.rules.map((rule) => rule.id).sort());
  });

  it('cover a match and a non-match of each built-in detection written as data', () => {
    const dataFiles = files.filter((file) => file.startsWith(BUILT_IN_RULES_DIR));
    expect(dataFiles.length).toBeGreaterThan(0);
    for (const file of dataFiles) {
      const { tests } = parseRuleTestFile(readFileSync(file, 'utf8'), file);
      expect(tests.some((test) => test.expectedResult === true)).toBe(true);
      expect(tests.some((test) => test.expectedResult === false)).toBe(true);
    }
  });

  it("include the seed's eight tests verbatim", () => {
    const seed = parseRuleTestFile(
      readFileSync(join(root, 'test/fixtures/panther/openai_api_key_anomalous_activity.yml'), 'utf8'),
      'seed',
    );
    const ours = parseRuleTestFile(
      readFileSync(join(rulesDir, 'openai/api-key-anomalous-activity.tests.yml'), 'utf8'),
      'ours',
    );
    expect(seed.tests).toHaveLength(8);
    expect(ours.tests.slice(0, 8)).toEqual(seed.tests);
  });
});

for (const file of files) {
  const { ruleId, tests } = parseRuleTestFile(readFileSync(file, 'utf8'), file);
  describe(`${relative(root, file)} (${ruleId})`, () => {
    for (const test of tests) {
      it(test.name, () => {
        const result = runRuleTest(catalog, ruleId, test);
        expect(result.failures).toEqual([]);
        expect(result.passed).toBe(true);
      });
    }
  });
}
