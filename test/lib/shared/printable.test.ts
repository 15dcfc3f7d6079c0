import { describe, expect, it } from 'vitest';
import { printable, quote } from '../../../lib/shared/printable.ts';

describe('printable', () => {
  it('keeps ordinary text, including non-Latin letters and emoji', () => {
    expect(printable('alice@example.com — Zürich 東京 🚀')).toBe('alice@example.com — Zürich 東京 🚀');
  });

  it('escapes line breaks, control characters and DEL', () => {
    expect(printable('a\r\nb\tc\u0000d\u001be\u007f')).toBe('a\\r\\nb\\tc\\u0000d\\u001be\\u007f');
  });

  it('escapes bidi overrides, isolates, zero-width characters and line separators', () => {
    expect(printable('x\u202ey\u2066z\u200bw\u2028v\ufeff')).toBe('x\\u202ey\\u2066z\\u200bw\\u2028v\\ufeff');
  });

  it('escapes the noncharacters U+FDD0-U+FDEF, U+FFFE and U+FFFF', () => {
    expect(printable('a\ufffeb\uffffc\ufdd0d')).toBe('a\\ufffeb\\uffffc\\ufdd0d');
  });

  it('escapes lone surrogates but keeps valid pairs', () => {
    expect(printable('a\ud800b\udc00c')).toBe('a\\ud800b\\udc00c');
    expect(printable('\ud83d\ude80')).toBe('🚀');
  });

  it('cuts long text with an ellipsis', () => {
    expect(printable('x'.repeat(300), 10)).toBe(`${'x'.repeat(10)}…`);
    expect(printable('x'.repeat(200))).toBe('x'.repeat(200));
  });
});

describe('quote', () => {
  it('masks a key before cutting, so a key on the cut is masked whole', () => {
    const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789';
    expect(quote(`${'x'.repeat(10)}${key}`, 25)).toBe(`"${'x'.repeat(10)}sk-proj-…6789"`);
    expect(quote(`${'x'.repeat(20)}${key}`, 25)).toBe(`"${'x'.repeat(20)}sk-pr…"`);
  });

  it('JSON-escapes, then escapes what JSON leaves raw: C1 controls, bidi, line separators', () => {
    expect(quote('a"b\\\u001b\u009b\u202e\u2028')).toBe('"a\\"b\\\\\\u001b\\u009b\\u202e\\u2028"');
  });

  it('cuts the text, never an escape', () => {
    expect(quote('\u0001'.repeat(30), 20)).toBe(`"${'\\u0001'.repeat(20)}…"`);
  });
});
