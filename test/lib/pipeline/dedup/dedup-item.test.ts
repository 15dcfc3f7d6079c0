import { describe, expect, it } from 'vitest';
import { alertIdFor, partitionKey } from '../../../../lib/pipeline/dedup/dedup-item.ts';

describe('dedup item keys', () => {
  it('derives the alert id from key and window start only', () => {
    expect(alertIdFor('k', 1)).toMatch(/^[0-9a-f]{32}$/);
    expect(alertIdFor('k', 1)).toBe(alertIdFor('k', 1));
    expect(alertIdFor('k', 1)).not.toBe(alertIdFor('k', 2));
    expect(alertIdFor('k', 1)).not.toBe(alertIdFor('k2', 1));
  });

  it('keeps keys up to 1024 UTF-8 bytes and hashes longer ones', () => {
    expect(partitionKey('a'.repeat(1024))).toBe('a'.repeat(1024));
    expect(partitionKey('a'.repeat(1025))).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(partitionKey('é'.repeat(513))).toMatch(/^sha256:/); // 1026 bytes
  });
});
