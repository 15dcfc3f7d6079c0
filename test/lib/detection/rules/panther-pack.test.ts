// Panther's whole OpenAI pack, run unchanged from the shared reference (../shared beside this
// repository, or PANTHER_PACK_DIR): every rule file's tests and metadata against our rule of the same
// RuleID, and every detection of the pack definition registered here. When the pack is missing the
// suite fails and says where it looked: never a silent skip.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRuleCatalog } from '../../../../lib/detection/rules/create-rule-catalog.ts';
import { checkPantherMetadata, runRuleTest } from '../../../../lib/detection/testing/run-test.ts';
import { parseRuleTestFile } from '../../../../lib/detection/testing/test-file.ts';

const root = join(import.meta.dirname, '../../../..');
const packDir = resolve(process.env.PANTHER_PACK_DIR ?? join(root, '../shared/reference/panther-openai-pack'));
const present = existsSync(packDir);
const catalog = createRuleCatalog();

describe("Panther's OpenAI pack", () => {
  it(`is present at ${packDir}`, () => {
    expect(
      present,
      `Panther's OpenAI pack was not found at ${packDir}: check out the shared reference beside this repository, or set PANTHER_PACK_DIR`,
    ).toBe(true);
  });
  if (!present) return;

  const files = readdirSync(packDir)
    .filter((file) => file.endsWith('.yml'))
    .sort();
  const documents = files.map((file) => ({
    file,
    doc: parse(readFileSync(join(packDir, file), 'utf8')) as {
      AnalysisType?: string;
      PackDefinition?: { IDs?: string[] };
    },
  }));

  it('has every detection of its pack definition registered here', () => {
    const pack = documents.find(({ doc }) => doc.AnalysisType === 'pack')?.doc;
    const ids = (pack?.PackDefinition?.IDs ?? []).filter((id) => id.startsWith('OpenAI.'));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => catalog.getRule(id) === undefined)).toEqual([]);
  });

  const ruleFiles = documents.filter(
    ({ doc }) => doc.AnalysisType === 'rule' || doc.AnalysisType === 'correlation_rule',
  );
  it('has a rule file for every rule and correlation rule', () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(8);
  });

  for (const { file } of ruleFiles) {
    const parsed = parseRuleTestFile(readFileSync(join(packDir, file), 'utf8'), file);
    describe(`${file} (${parsed.ruleId})`, () => {
      it('declares metadata equal to ours, or different for a documented reason', () => {
        const checks = checkPantherMetadata(catalog, parsed);
        expect(checks.length).toBeGreaterThan(0);
        expect(checks.filter((check) => !check.ok)).toEqual([]);
      });
      for (const test of parsed.tests) {
        it(test.name, () => {
          expect(runRuleTest(catalog, parsed.ruleId, test).failures).toEqual([]);
        });
      }
    });
  }
});
