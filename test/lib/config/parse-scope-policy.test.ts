import { describe, expect, it } from 'vitest';
import { parseScopePolicy } from '../../../lib/config/parse-scope-policy.ts';
import { DEFAULT_SCOPE_POLICY } from '../../../lib/detection/rules/openai/default-scope-policy.ts';
import { ScopePolicyError } from '../../../lib/detection/rules/openai/errors.ts';

const parse = (doc: unknown) => parseScopePolicy(typeof doc === 'string' ? doc : JSON.stringify(doc), 'p.json');

describe('parseScopePolicy', () => {
  it('reads exact and glob entries, upper-casing severities', () => {
    expect(
      parse({
        elevatedScopes: [
          { exact: 'a', severity: 'high', note: 'n' },
          { glob: '*.b', severity: 'LOW' },
        ],
      }),
    ).toEqual({
      elevatedScopes: [
        { exact: 'a', severity: 'HIGH', note: 'n' },
        { glob: '*.b', severity: 'LOW' },
      ],
    });
  });

  it('replaces the defaults unless includeDefaults is true', () => {
    const entry = { glob: '*.ip_allowlist.write', severity: 'HIGH' };
    expect(parse({ elevatedScopes: [entry] }).elevatedScopes).toHaveLength(1);
    const extended = parse({ includeDefaults: true, elevatedScopes: [entry] }).elevatedScopes;
    expect(extended).toHaveLength(DEFAULT_SCOPE_POLICY.elevatedScopes.length + 1);
    expect(extended.at(-1)).toEqual(entry);
    expect(parse({ includeDefaults: true, elevatedScopes: [] }).elevatedScopes).toEqual(
      DEFAULT_SCOPE_POLICY.elevatedScopes,
    );
  });

  it('round-trips the default policy', () => {
    expect(parse({ elevatedScopes: DEFAULT_SCOPE_POLICY.elevatedScopes })).toEqual(DEFAULT_SCOPE_POLICY);
  });

  it.each([
    ['{', /^p\.json: not valid JSON \(/],
    ['[]', /^p\.json: expected a JSON object, got array$/],
    [
      { elevatedScopes: [], extra: 1 },
      /^p\.json: unknown key "extra" \(allowed: includeDefaults, elevatedScopes, unrestrictedKeys, unrecordedScopesSeverity\)$/,
    ],
    [
      { elevatedScopes: [], includeDefaults: true, unrestrictedKeys: 'no' },
      /^p\.json: unrestrictedKeys: expected a boolean, got string$/,
    ],
    [
      { elevatedScopes: [], includeDefaults: true, unrecordedScopesSeverity: 'URGENT' },
      /^p\.json: unrecordedScopesSeverity: expected one of INFO, LOW, MEDIUM, HIGH, CRITICAL or null, got "URGENT"$/,
    ],
    [{}, /^p\.json: elevatedScopes: expected an array, got undefined$/],
    [{ includeDefaults: 'yes', elevatedScopes: [] }, /^p\.json: includeDefaults: expected a boolean, got string$/],
    [{ elevatedScopes: [] }, /^p\.json: elevatedScopes: is empty, so the rule could never fire/],
    [{ elevatedScopes: ['all'] }, /^p\.json: elevatedScopes\[0\]: expected an object, got string$/],
    [
      { elevatedScopes: [{ severity: 'HIGH' }] },
      /^p\.json: elevatedScopes\[0\]: needs exactly one of "exact" or "glob"$/,
    ],
    [{ elevatedScopes: [{ exact: 'a', glob: 'b', severity: 'HIGH' }] }, /needs exactly one of "exact" or "glob"$/],
    [
      { elevatedScopes: [{ exact: 3, severity: 'HIGH' }] },
      /^p\.json: elevatedScopes\[0\]\.exact: expected a string, got number$/,
    ],
    [
      { elevatedScopes: [{ exact: null, severity: 'HIGH' }] },
      /^p\.json: elevatedScopes\[0\]\.exact: expected a string, got null$/,
    ],
    [
      { elevatedScopes: [{ glob: ' ', severity: 'HIGH' }] },
      /^p\.json: elevatedScopes\[0\]\.glob: is empty; blank scopes never match$/,
    ],
    [
      {
        elevatedScopes: [
          { exact: 'a', severity: 'HIGH' },
          { exact: 'b', severity: 'SEVERE' },
        ],
      },
      /^p\.json: elevatedScopes\[1\]\.severity: expected one of INFO, LOW, MEDIUM, HIGH, CRITICAL, got "SEVERE"$/,
    ],
    [{ elevatedScopes: [{ exact: 'a' }] }, /elevatedScopes\[0\]\.severity: expected one of .*, got undefined$/],
    [{ elevatedScopes: [{ exact: 'a', severity: 'LOW', severty: 'x' }] }, /elevatedScopes\[0\]: unknown key "severty"/],
    [
      { elevatedScopes: [{ exact: 'a', severity: 'LOW', note: 1 }] },
      /elevatedScopes\[0\]\.note: expected a string, got number$/,
    ],
  ])('rejects %j with a precise message', (doc, message) => {
    expect(() => parse(doc)).toThrow(ScopePolicyError);
    expect(() => parse(doc)).toThrow(message);
  });

  it('reads the unrestricted-key and unrecorded-scope options, leaving them unset when absent', () => {
    expect(parse({ includeDefaults: true, elevatedScopes: [] })).not.toHaveProperty('unrestrictedKeys');
    const off = parse({
      includeDefaults: true,
      elevatedScopes: [],
      unrestrictedKeys: false,
      unrecordedScopesSeverity: null,
    });
    expect([off.unrestrictedKeys, off.unrecordedScopesSeverity]).toEqual([false, null]);
    expect(
      parse({ includeDefaults: true, elevatedScopes: [], unrecordedScopesSeverity: 'low' }).unrecordedScopesSeverity,
    ).toBe('LOW');
  });

  it('escapes control characters from the file in its messages', () => {
    expect(() => parse({ elevatedScopes: [{ exact: 'a', severity: 'HI\u001bGH' }] })).toThrow('got "HI\\u001bGH"');
  });
});
