import { describe, expect, it } from 'vitest';
import { outputJson, safeJsonText } from '../../../lib/shared/output-json.ts';
import { printable } from '../../../lib/shared/printable.ts';

describe('outputJson', () => {
  it('writes C1 controls, bidi controls and line and paragraph separators as \\u escapes', () => {
    expect(outputJson({ t: 'a\u009b31mb\u0085\u202etxt\u2066\u2028\u2029' })).toBe(
      '{"t":"a\\u009b31mb\\u0085\\u202etxt\\u2066\\u2028\\u2029"}',
    );
  });

  it('writes DEL, zero-width characters, the BOM and noncharacters as \\u escapes, in keys too', () => {
    expect(outputJson({ 'k\u200b': '\u007f\ufeff\ufdd0\ufffe\uffff' })).toBe(
      '{"k\\u200b":"\\u007f\\ufeff\\ufdd0\\ufffe\\uffff"}',
    );
  });

  it('masks API keys in values and keys', () => {
    const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789';
    expect(outputJson({ [key]: `by ${key}` })).toBe('{"sk-proj-…6789":"by sk-proj-…6789"}');
  });

  it('parses back to the same value, masked', () => {
    const value = { s: 'x\u009b\u202e\u2028\u0000\ud800 é 🚀', list: [1, null, true], nested: { '\u2029': 'y' } };
    expect(JSON.parse(outputJson(value))).toStrictEqual(value);
  });

  it('keeps the layout of indented JSON', () => {
    expect(outputJson({ a: ['\u202e'] }, 2)).toBe('{\n  "a": [\n    "\\u202e"\n  ]\n}');
  });

  it('leaves raw no character that printable escapes, whatever the code unit', () => {
    for (let code = 0; code <= 0xffff; code++) {
      const ch = String.fromCharCode(code);
      if (printable(ch) !== ch) expect(outputJson({ ch })).not.toContain(ch);
    }
  });

  it('leaves ordinary text as JSON.stringify writes it', () => {
    const value = { title: 'alice@example.com — Zürich 東京 🚀', n: 1.5 };
    expect(outputJson(value)).toBe(JSON.stringify(value));
  });
});

describe('safeJsonText', () => {
  it('makes JSON text already written safe to print', () => {
    expect(safeJsonText('{"id":"e\u009b1"}')).toBe('{"id":"e\\u009b1"}');
  });
});
