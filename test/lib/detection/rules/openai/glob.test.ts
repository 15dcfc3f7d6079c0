import { describe, expect, it } from 'vitest';
import { compileGlob, globMatches } from '../../../../../lib/detection/rules/openai/glob.ts';

const matches = (pattern: string, text: string) => globMatches(compileGlob(pattern), text);

describe('scope globs', () => {
  it('treats a pattern without stars as an exact value', () => {
    expect(matches('api.groups.write', 'api.groups.write')).toBe(true);
    expect(matches('api.groups.write', 'api.groups.writes')).toBe(false);
  });

  it('lets * match any run of characters, dots included, or none', () => {
    expect(matches('*.api_keys.write', 'api.organization.projects.api_keys.write')).toBe(true);
    expect(matches('*.api_keys.write', 'api.api_keys.write')).toBe(true);
    expect(matches('*.api_keys.write', 'api_keys.write')).toBe(false);
    expect(matches('api.*.write', 'api..write')).toBe(true);
    expect(matches('a*b*c', 'abc')).toBe(true);
    expect(matches('a*b*c', 'aXbYc')).toBe(true);
    expect(matches('a*b*c', 'acb')).toBe(false);
    expect(matches('*', '')).toBe(true);
  });

  it('does not let prefix and suffix overlap', () => {
    expect(matches('ab*ba', 'aba')).toBe(false);
    expect(matches('ab*ba', 'abba')).toBe(true);
  });

  it('supports \\* for a literal star and \\\\ for a backslash', () => {
    expect(matches('api.\\*', 'api.*')).toBe(true);
    expect(matches('api.\\*', 'api.x')).toBe(false);
    expect(matches('a\\\\b', 'a\\b')).toBe(true);
  });

  it('stays fast on adversarial input', () => {
    const pattern = compileGlob(`${'*a'.repeat(20)}*b`);
    expect(globMatches(pattern, 'a'.repeat(100_000))).toBe(false);
  });
});
