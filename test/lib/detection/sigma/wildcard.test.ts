// Sigma string values: `*` and `?` wildcards, the specification's backslash escapes, and
// case-insensitive comparison unless `cased`.
import { describe, expect, it } from 'vitest';
import { compilePattern, parseSigmaString } from '../../../../lib/detection/sigma/wildcard.ts';
import { matcher } from './helpers.ts';

const test = (pattern: string, cased = false) => compilePattern(parseSigmaString(pattern), cased);

describe('parseSigmaString', () => {
  it('reads the escapes of the specification', () => {
    expect(parseSigmaString('a*b?c')).toEqual(['a', { wildcard: '*' }, 'b', { wildcard: '?' }, 'c']);
    expect(parseSigmaString('a\\*b\\?')).toEqual(['a*b?']);
    // A plain backslash, single or doubled, is one backslash.
    expect(parseSigmaString('C:\\Windows')).toEqual(['C:\\Windows']);
    expect(parseSigmaString('C:\\\\Windows')).toEqual(['C:\\Windows']);
    // \\* is a backslash then a wildcard; \\\* a backslash then a star.
    expect(parseSigmaString('a\\\\*')).toEqual(['a\\', { wildcard: '*' }]);
    expect(parseSigmaString('a\\\\\\*')).toEqual(['a\\*']);
    // Four backslashes are two.
    expect(parseSigmaString('\\\\\\\\')).toEqual(['\\\\']);
  });
});

describe('compilePattern', () => {
  it('anchors at both ends', () => {
    expect(test('admin')('admin')).toBe(true);
    expect(test('admin')('admins')).toBe(false);
    expect(test('admin*')('admins')).toBe(true);
    expect(test('*admin')('sysadmin')).toBe(true);
    expect(test('*admin*')('sysadmins')).toBe(true);
    expect(test('*admin*')('root')).toBe(false);
  });

  it('matches ? as exactly one character and * as any run, none included', () => {
    expect(test('key-?')('key-1')).toBe(true);
    expect(test('key-?')('key-')).toBe(false);
    expect(test('key-?')('key-12')).toBe(false);
    expect(test('a*b*c')('abc')).toBe(true);
    expect(test('a*b*c')('a-x-b-y-c')).toBe(true);
    expect(test('a*b*c')('a-x-c-y-b')).toBe(false);
    expect(test('*?')('')).toBe(false);
    expect(test('*')('')).toBe(true);
    expect(test('')('')).toBe(true);
    expect(test('')('x')).toBe(false);
  });

  it('backtracks to the last star only, and is quick on hostile input', () => {
    expect(test('*a*a*a*a*a*b')('a'.repeat(5000))).toBe(false);
    expect(test('*ab*ab')('xxabyyabab')).toBe(true);
  });

  it('is case-insensitive by default, case-sensitive when cased', () => {
    expect(test('*ADMIN*')('sysadmin')).toBe(true);
    expect(test('Admin', true)('admin')).toBe(false);
    expect(test('Admin', true)('Admin')).toBe(true);
    expect(test('A*', true)('admin')).toBe(false);
  });

  it('takes an escaped wildcard literally', () => {
    expect(test('a\\*b')('a*b')).toBe(true);
    expect(test('a\\*b')('axb')).toBe(false);
    expect(test('what\\?')('what?')).toBe(true);
    expect(test('what\\?')('whats')).toBe(false);
  });
});

describe('string values in a rule', () => {
  const rule = matcher(`
selection:
  actor.session.user_agent: 'Mozilla/5.0 *(X11*'
condition: selection`);
  const event = (userAgent: unknown) => ({ type: 'login.succeeded', actor: { session: { user_agent: userAgent } } });

  it('applies wildcards case-insensitively', () => {
    expect(rule(event('mozilla/5.0 (x11; Linux x86_64)'))).toBe(true);
    expect(rule(event('Mozilla/5.0 (Windows NT 10.0)'))).toBe(false);
  });

  it('does not match what is not text, or is missing', () => {
    expect(rule(event(null))).toBe(false);
    expect(rule(event({ ua: 'Mozilla/5.0 (X11)' }))).toBe(false);
    expect(rule({ type: 'login.succeeded' })).toBe(false);
  });
});
