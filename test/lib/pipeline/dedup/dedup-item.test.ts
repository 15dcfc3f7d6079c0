import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inPollCursorNamespace, POLL_CURSOR_KEY } from '../../../../lib/ingestion/poller/cursor-key.ts';
import {
  alertIdFor,
  partitionKey,
  pendingRegisterKey,
  shortFingerprint,
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

  it("never keys a window or a register in the poller's cursor namespace, which the detect role may not touch", () => {
    // Dedup keys that would land there are stored hashed, like long ones.
    for (const dedupKey of [POLL_CURSOR_KEY, `${POLL_CURSOR_KEY}#org-a`, `${POLL_CURSOR_KEY}#`]) {
      expect(partitionKey(dedupKey)).toBe(`sha256:${createHash('sha256').update(dedupKey).digest('hex')}`);
      expect(windowKey(dedupKey, 1_732_428_000)).toMatch(/^sha256:[0-9a-f]{64}#1732428000$/);
      expect(pendingRegisterKey(dedupKey)).toMatch(/^sha256:[0-9a-f]{64}#pending$/);
    }
    // Only that namespace: a key that merely starts with the same letters is kept as it is.
    expect(partitionKey(`${POLL_CURSOR_KEY}s:u1`)).toBe(`${POLL_CURSOR_KEY}s:u1`);
    // Whatever the dedup key (organization ids such as "pending" or "1732428000" make cursor keys
    // that a plain window or register key could otherwise equal).
    const dedupKeys = fc.oneof(
      fc.string(),
      fc.string().map((tail) => `${POLL_CURSOR_KEY}${tail}`),
      fc.string().map((tail) => `${POLL_CURSOR_KEY}#${tail}`),
    );
    fc.assert(
      fc.property(dedupKeys, fc.integer({ min: -1e10, max: 1e10 }), (dedupKey, windowStart) => {
        expect(inPollCursorNamespace(windowKey(dedupKey, windowStart))).toBe(false);
        expect(inPollCursorNamespace(pendingRegisterKey(dedupKey))).toBe(false);
      }),
    );
  });

  it('fingerprints event ids and distinct values in 8 bytes: the first 16 hex characters of their SHA-256', () => {
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(shortFingerprint('e1')).toBe(sha256('e1').slice(0, 16));
    expect(shortFingerprint('e1')).toMatch(/^[0-9a-f]{16}$/);
    expect(Buffer.from(shortFingerprint('e1'), 'hex')).toHaveLength(8);
    expect(shortFingerprint('x'.repeat(100_000))).toHaveLength(16);
    expect(shortFingerprint('')).toHaveLength(16);
    expect(shortFingerprint('e1')).toBe(shortFingerprint('e1'));
    expect(shortFingerprint('e1')).not.toBe(shortFingerprint('e2'));
    // An item written before (128-bit fingerprints: the first 32 hex characters) reads as the same
    // events: the short fingerprint is the old one's first half.
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(sha256(text).slice(0, 32).startsWith(shortFingerprint(text))).toBe(true);
      }),
    );
  });
});
