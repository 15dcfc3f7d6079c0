// Property-based tests of the parsers and text helpers: they fail only in their documented way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonInput } from '../../lib/shared/json-input.ts';
import { jsonSyntaxErrorOffset } from '../../lib/shared/json-syntax.ts';
import { extractAuditEvents } from '../../lib/detection/openai/extract-events.ts';
import { ScopePolicyError } from '../../lib/detection/rules/openai/errors.ts';
import { compileGlob, globMatches } from '../../lib/detection/rules/openai/glob.ts';
import { parseScopePolicy } from '../../lib/config/parse-scope-policy.ts';
import { RuleTestFileError } from '../../lib/detection/testing/errors.ts';
import { parseRuleTestFile } from '../../lib/detection/testing/test-file.ts';
import { printable, quote } from '../../lib/shared/printable.ts';

// npm test runs 1,000 cases per property; npm run test:reliability runs 100,000 (PROPERTY_RUNS).
const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const rawString = fc.string({ unit: anyUnit, maxLength: 60 });
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;

function mutate(text: string, at: number, insert: string, remove: number): string {
  const i = text.length === 0 ? 0 : at % (text.length + 1);
  return text.slice(0, i) + insert + text.slice(i + remove);
}

describe('parser properties', () => {
  it('jsonSyntaxErrorOffset agrees with JSON.parse on valid and mutated JSON', () => {
    fc.assert(
      fc.property(
        fc.json(),
        fc.nat(),
        fc.constantFrom('', ',', ']', '}', '"', ':', '0', '\\', 'x', '\n'),
        fc.nat({ max: 2 }),
        (json, at, insert, remove) => {
          expect(jsonSyntaxErrorOffset(json)).toBeUndefined();
          const mutated = mutate(json, at, insert, remove);
          let valid = true;
          try {
            JSON.parse(mutated);
          } catch {
            valid = false;
          }
          expect(jsonSyntaxErrorOffset(mutated) === undefined).toBe(valid);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('parseJsonInput and extractAuditEvents never throw', () => {
    fc.assert(
      fc.property(fc.oneof(rawString, fc.json()), (text) => {
        const { values } = parseJsonInput(text);
        for (const { value } of values) extractAuditEvents(value);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseScopePolicy fails only with ScopePolicyError', () => {
    const doc = fc.oneof(
      rawString,
      fc.json(),
      fc.jsonValue().map((elevatedScopes) => JSON.stringify({ elevatedScopes })),
      fc
        .array(fc.record({ exact: fc.jsonValue(), severity: fc.jsonValue() }, { requiredKeys: [] }))
        .map((elevatedScopes) => JSON.stringify({ elevatedScopes })),
    );
    fc.assert(
      fc.property(doc, (text) => {
        try {
          parseScopePolicy(text, 'p.json');
        } catch (error) {
          expect(error).toBeInstanceOf(ScopePolicyError);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('parseRuleTestFile fails only with RuleTestFileError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          rawString,
          fc.jsonValue().map((Tests) => JSON.stringify({ RuleID: 'X', Tests })),
        ),
        (text) => {
          try {
            parseRuleTestFile(text, 'r.yml');
          } catch (error) {
            expect(error).toBeInstanceOf(RuleTestFileError);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('printable and quote never let an unsafe character through', () => {
    fc.assert(
      fc.property(rawString, (text) => {
        expect(printable(text)).not.toMatch(UNSAFE);
        expect(quote(text)).not.toMatch(UNSAFE);
      }),
      { numRuns: RUNS },
    );
  });

  it('globs match exactly what the equivalent anchored regular expression matches', () => {
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '.', '*'), maxLength: 8 });
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 10 });
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        const regex = new RegExp(
          `^${p
            .split('*')
            .map((part) => part.replace(/[.]/g, '\\.'))
            .join('.*')}$`,
          's',
        );
        expect(globMatches(compileGlob(p), t)).toBe(regex.test(t));
      }),
      { numRuns: RUNS },
    );
  });
});
