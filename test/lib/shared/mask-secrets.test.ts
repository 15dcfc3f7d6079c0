import { describe, expect, it } from 'vitest';
import { maskSecrets, secretSafeEnd } from '../../../lib/shared/mask-secrets.ts';
import { printable } from '../../../lib/shared/printable.ts';

describe('maskSecrets', () => {
  it.each([
    ['sk-abcdefghijklmnopqrstuvwxyz012345', 'sk-…2345'],
    ['sk-proj-AbCdEfGhIjKlMnOpQrStUv_x-9876', 'sk-proj-…9876'],
    ['sk-admin-0123456789abcdefABCDEF', 'sk-admin-…CDEF'],
    ['sk-svcacct-0123456789abcdefghij', 'sk-svcacct-…ghij'],
    ['task-0123456789abcdefghijklmn', 'task-…klmn'],
    [
      'Bearer sk-proj-0123456789abcdefghij, again sk-proj-zyxwvutsrqponmlkji99',
      'Bearer sk-proj-…ghij, again sk-proj-…ji99',
    ],
    ['key_sk-proj-0123456789abcdefghij', 'key_sk-proj-…ghij'],
    ['tokensk-0123456789abcdefghij', 'tokensk-…ghij'],
    [`sk-${'abcdefghij'.repeat(4)}`, 'sk-…ghij'],
  ])('masks %s', (text, masked) => {
    expect(maskSecrets(text)).toBe(masked);
  });

  it('leaves text that is not shaped like a key: short, or a word without digits', () => {
    for (const text of [
      'sk-short',
      'sk-0123456789abcdefghi',
      'risk-management-team-members',
      'task-scheduling-for-the-platform',
      'no keys here',
    ]) {
      expect(maskSecrets(text)).toBe(text);
    }
  });

  it('is applied by printable', () => {
    expect(printable('user agent sk-proj-0123456789abcdefghij\r\n')).toBe('user agent sk-proj-…ghij\\r\\n');
  });
});

describe('secretSafeEnd', () => {
  const key = 'sk-proj-0123456789abcdefghij';
  const text = `id ${key} tail`;

  it('moves a cut that goes through a key to the start of the key', () => {
    for (const end of [4, 10, 20, 30]) expect(secretSafeEnd(text, end)).toBe(3);
  });

  it('keeps a cut outside every key: before it, right after it, in text without keys or past the end', () => {
    expect(secretSafeEnd(text, 3)).toBe(3);
    expect(secretSafeEnd(text, 3 + key.length)).toBe(3 + key.length);
    expect(secretSafeEnd(text, 3 + key.length + 2)).toBe(3 + key.length + 2);
    expect(secretSafeEnd('no keys here', 5)).toBe(5);
    expect(secretSafeEnd(text, 500)).toBe(500);
  });

  it('cuts through a word that is not shaped like a key', () => {
    expect(secretSafeEnd('x risk-management-team-members', 12)).toBe(12);
  });

  it('finds the key the cut goes through among several', () => {
    const two = `${key} and ${key}`;
    expect(secretSafeEnd(two, key.length + 10)).toBe(key.length + 5);
  });
});
