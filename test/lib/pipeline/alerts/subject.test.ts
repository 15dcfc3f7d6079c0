import { describe, expect, it } from 'vitest';
import { alertSubject, sanitizeSubject } from '../../../../lib/pipeline/alerts/subject.ts';

describe('SNS subjects', () => {
  it('prefixes the severity', () => {
    expect(alertSubject({ severity: 'HIGH', title: 'Key by [a@b.c]' })).toBe('HIGH: Key by [a@b.c]');
  });

  it('keeps printable ASCII only: no CR/LF, controls, bidi or non-ASCII', () => {
    expect(sanitizeSubject('a\r\nBcc: x\u0000y\u202ez')).toBe('a Bcc: x?y?z');
    expect(sanitizeSubject('Zoë Ångström 東京')).toBe('Zoe Angstrom ??');
  });

  it('starts with a letter or digit', () => {
    expect(sanitizeSubject('  -- [x] y')).toBe('x] y');
    expect(sanitizeSubject('\u0000\u0001')).toBe('OpenAI audit alert');
    expect(sanitizeSubject('')).toBe('OpenAI audit alert');
  });

  it('stays under 100 characters', () => {
    const subject = sanitizeSubject(`HIGH: ${'x'.repeat(500)}`);
    expect(subject).toHaveLength(99);
    expect(subject.endsWith('...')).toBe(true);
    expect(sanitizeSubject('y'.repeat(99))).toBe('y'.repeat(99));
  });
});
