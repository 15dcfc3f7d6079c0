import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  alertIdFor,
  eventFingerprint,
  partitionKey,
  pendingRegisterKey,
  windowKey,
} from '../../../../lib/pipeline/dedup/dedup-item.ts';

describe('dedup item keys', () => {
  it('derives the alert id from key, window start and (for an escalation) severity only', () => {
    expect(alertIdFor('k', 1)).toMatch(/^[0-9a-f]{32}$/);
    expect(alertIdFor('k', 1)).toBe(alertIdFor('k', 1));
    expect(alertIdFor('k', 1)).not.toBe(alertIdFor('k', 2));
    expect(alertIdFor('k', 1)).not.toBe(alertIdFor('k2', 1));
    expect(alertIdFor('k', 1, 'HIGH')).toMatch(/^[0-9a-f]{32}$/);
    expect(alertIdFor('k', 1, 'HIGH')).not.toBe(alertIdFor('k', 1));
    expect(alertIdFor('k', 1, 'HIGH')).not.toBe(alertIdFor('k', 1, 'CRITICAL'));
    expect(alertIdFor('k', 1, 'HIGH')).toBe(alertIdFor('k', 1, 'HIGH'));
    // The first alert keeps the first protocol's formula: SHA-256 of "<key>\n<window start>".
    expect(alertIdFor('k', 1)).toBe(createHash('sha256').update('k\n1').digest('hex').slice(0, 32));
    expect(eventFingerprint('e1')).toBe(createHash('sha256').update('e1').digest('hex').slice(0, 32));
  });

  it('keeps keys up to 1024 UTF-8 bytes and hashes longer ones', () => {
    expect(partitionKey('a'.repeat(1024))).toBe('a'.repeat(1024));
    expect(partitionKey('a'.repeat(1025))).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(partitionKey('é'.repeat(513))).toMatch(/^sha256:/); // 1026 bytes
  });

  it('keys windows and the pending register under the dedup key', () => {
    expect(windowKey('R:t:user:u', 3600)).toBe('R:t:user:u#3600');
    expect(pendingRegisterKey('R:t:user:u')).toBe('R:t:user:u#pending');
    expect(windowKey('é'.repeat(600), 7)).toMatch(/^sha256:[0-9a-f]{64}#7$/);
  });

  it('fingerprints event ids in a fixed size', () => {
    expect(eventFingerprint('e1')).toMatch(/^[0-9a-f]{32}$/);
    expect(eventFingerprint('x'.repeat(100_000))).toHaveLength(32);
    expect(eventFingerprint('e1')).not.toBe(eventFingerprint('e2'));
  });
});
