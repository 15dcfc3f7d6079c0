export { RuleTestFileError } from './errors.ts';
export { checkPantherMetadata, runRuleTest, type MetadataCheck, type RuleTestResult } from './run-test.ts';
export {
  parseRuleTestFile,
  type PantherMetadata,
  type RuleTestCase,
  type RuleTestFile,
  type StepOutputs,
} from './test-file.ts';
