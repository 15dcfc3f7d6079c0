export { RuleTestFileError } from './errors.ts';
export { runRuleTest, type RuleTestResult } from './run-test.ts';
export { parseRuleTestFile, type RuleTestCase, type RuleTestFile } from './test-file.ts';
