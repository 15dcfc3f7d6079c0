// Standard Webhooks signatures, pure: the known-answer vector of the reference library's tests
// (standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts), tolerance,
// several signatures and several keys (rotation), and the secret's format.
import { describe, expect, it } from 'vitest';
import { readCredentials } from '../../../../lib/ingestion/webhook/credentials.ts';
import { bearerMatches, signWebhook, verifySignature } from '../../../../lib/ingestion/webhook/signature.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = readCredentials(SECRET).signingKeys[0] ?? Buffer.alloc(0);
const OTHER = readCredentials('whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=').signingKeys[0] ?? Buffer.alloc(0);
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const BODY = Buffer.from('{"test": 2432232314}');

describe('signWebhook', () => {
  it('matches the reference implementation on its published vector', () => {
    expect(signWebhook(KEY, ID, String(TS), BODY)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('verifySignature', () => {
  const signature = signWebhook(KEY, ID, String(TS), BODY);
  const headers = { id: ID, timestamp: String(TS), signature };

  it('accepts a valid signature within 5 minutes either way', () => {
    expect(verifySignature(headers, BODY, [KEY], TS)).toEqual({ ok: true, id: ID });
    expect(verifySignature(headers, BODY, [KEY], TS + 300).ok).toBe(true);
    expect(verifySignature(headers, BODY, [KEY], TS - 300).ok).toBe(true);
  });

  it('refuses a timestamp more than 5 minutes away, a changed body, and a wrong key', () => {
    expect(verifySignature(headers, BODY, [KEY], TS + 301)).toEqual({
      ok: false,
      reason: "webhook-timestamp is more than 5 minutes from the receiver's clock",
    });
    expect(verifySignature(headers, BODY, [KEY], TS - 301).ok).toBe(false);
    expect(verifySignature(headers, Buffer.from('{"test": 2432232315}'), [KEY], TS)).toEqual({
      ok: false,
      reason: 'no signature matches',
    });
    expect(verifySignature(headers, BODY, [OTHER], TS).ok).toBe(false);
  });

  it('accepts any matching v1 signature among several, and any of several keys (rotation)', () => {
    const several = `v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5Bdqz== v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${signature}`;
    expect(verifySignature({ ...headers, signature: several }, BODY, [KEY], TS).ok).toBe(true);
    expect(verifySignature(headers, BODY, [OTHER, KEY], TS).ok).toBe(true);
    expect(verifySignature({ ...headers, signature: signature.replace('v1,', 'v2,') }, BODY, [KEY], TS)).toEqual({
      ok: false,
      reason: 'webhook-signature has no v1 signature',
    });
  });

  it.each([
    [{ id: undefined }, 'webhook-id, webhook-timestamp and webhook-signature are all required'],
    [{ timestamp: undefined }, 'webhook-id, webhook-timestamp and webhook-signature are all required'],
    [{ id: 'a.b' }, 'webhook-id must be 1-256 printable characters without spaces or dots'],
    [{ id: 'x'.repeat(257) }, 'webhook-id must be 1-256 printable characters without spaces or dots'],
    [{ timestamp: '1614265330.5' }, 'webhook-timestamp must be an integer number of seconds'],
  ])('refuses malformed headers %j', (change, reason) => {
    expect(verifySignature({ ...headers, ...change }, BODY, [KEY], TS)).toEqual({ ok: false, reason });
  });
});

describe('readCredentials', () => {
  it('reads several signing secrets (with or without whsec_) and bearer tokens', () => {
    const credentials = readCredentials(`${SECRET}\n  MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw bearer:${'t'.repeat(32)}`);
    expect(credentials.signingKeys).toHaveLength(2);
    expect(credentials.signingKeys[0]?.equals(credentials.signingKeys[1] ?? Buffer.alloc(0))).toBe(true);
    expect(credentials.bearerTokens).toEqual(['t'.repeat(32)]);
  });

  it.each([
    ['whsec_c2hvcnQ=', 'webhook secret entry 1: expected whsec_ and base64 of at least 24 random bytes'],
    [`${SECRET} bearer:short`, 'webhook secret entry 2: a bearer token must have at least 32 characters'],
    ['whsec_not*base64*at*all*but*long*enough*to*count', 'webhook secret entry 1: expected whsec_'],
    ['   ', 'the webhook secret holds no signing secret'],
  ])('refuses %j without quoting it', (value, message) => {
    expect(() => readCredentials(value)).toThrow(message);
  });

  it('compares bearer tokens exactly', () => {
    expect(bearerMatches('t'.repeat(32), ['t'.repeat(32)])).toBe(true);
    expect(bearerMatches('t'.repeat(31), ['t'.repeat(32)])).toBe(false);
    expect(bearerMatches('u'.repeat(32), ['t'.repeat(32)])).toBe(false);
  });
});
