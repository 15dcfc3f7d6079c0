import { describe, expect, it } from 'vitest';
import { resolveActor } from '../../../../lib/detection/openai/actor.ts';

describe('resolveActor', () => {
  it('resolves a session user with network details', () => {
    const actor = resolveActor({
      type: 'session',
      session: {
        user: { id: 'user-1', email: 'a@example.com' },
        ip_address: '203.0.113.1',
        user_agent: 'UA',
        ja3: 'j3',
        ja4: 'j4',
        ip_address_details: { country: 'US', city: 'SF', region: 'CA' },
      },
    });
    expect(actor).toMatchObject({
      type: 'session',
      id: 'user-1',
      idKind: 'user',
      email: 'a@example.com',
      key: 'user:user-1',
      label: 'a@example.com',
      userId: 'user-1',
      ipAddress: '203.0.113.1',
      userAgent: 'UA',
      ja3: 'j3',
      ja4: 'j4',
      country: 'US',
      city: 'SF',
      region: 'CA',
    });
  });

  it('prefers the acting key user, then the service account, then the key id', () => {
    const user = resolveActor({
      type: 'api_key',
      api_key: { id: 'key_1', type: 'user', user: { id: 'user-2', email: 'b@x' } },
    });
    expect([user.id, user.idKind, user.email, user.apiKeyId, user.apiKeyType]).toEqual([
      'user-2',
      'user',
      'b@x',
      'key_1',
      'user',
    ]);
    const svc = resolveActor({ type: 'api_key', api_key: { id: 'key_2', service_account: { id: 'svc_1' } } });
    expect([svc.id, svc.idKind, svc.key, svc.label, svc.serviceAccountId]).toEqual([
      'svc_1',
      'service_account',
      'service_account:svc_1',
      'svc_1',
      'svc_1',
    ]);
    const key = resolveActor({ type: 'api_key', api_key: { id: 'key_3' } });
    expect([key.id, key.idKind, key.key]).toEqual(['key_3', 'api_key', 'api_key:key_3']);
  });

  it('never gives two different service accounts the same key', () => {
    const a = resolveActor({ api_key: { id: 'k', service_account: { id: 'svc_a' } } });
    const b = resolveActor({ api_key: { id: 'k', service_account: { id: 'svc_b' } } });
    expect(a.key).not.toBe(b.key);
  });

  it('falls back to the lower-cased email when there is no id, and to unknown when there is nothing', () => {
    expect(resolveActor({ session: { user: { email: 'Mixed@Example.com' } } })).toMatchObject({
      id: undefined,
      key: 'email:mixed@example.com',
      label: 'Mixed@Example.com',
    });
    for (const raw of [null, undefined, 'text', [], {}, { session: null }, { api_key: [] }]) {
      expect(resolveActor(raw)).toMatchObject({ id: undefined, email: undefined, key: 'unknown', label: undefined });
    }
  });

  it('ignores blank and non-text identity fields, and accepts numeric ids', () => {
    const actor = resolveActor({ session: { user: { id: '  ', email: { x: 1 } } }, api_key: { id: 12345 } });
    expect([actor.id, actor.idKind, actor.email]).toEqual(['12345', 'api_key', undefined]);
  });

  describe('actor.type decides whose identity it is', () => {
    // OpenAI's generated example (openai-java AuditLogListResponseTest.kt) carries both objects.
    const both = {
      session: { user: { id: 'user-s', email: 's@x' }, ip_address: '203.0.113.9', user_agent: 'UA', ja3: 'j3' },
      api_key: { id: 'key_k', type: 'service_account', service_account: { id: 'svc_k' } },
    };

    it('session: the session user and its network details, nothing of the key', () => {
      const actor = resolveActor({ type: 'session', ...both });
      expect(actor).toMatchObject({
        id: 'user-s',
        idKind: 'user',
        email: 's@x',
        key: 'user:user-s',
        ipAddress: '203.0.113.9',
        ja3: 'j3',
      });
      expect([actor.apiKeyId, actor.serviceAccountId, actor.apiKeyType]).toEqual([undefined, undefined, undefined]);
    });

    it("api_key: the key's service account, and no session details", () => {
      const actor = resolveActor({ type: 'api_key', ...both });
      expect(actor).toMatchObject({
        id: 'svc_k',
        idKind: 'service_account',
        key: 'service_account:svc_k',
        apiKeyId: 'key_k',
      });
      expect([actor.email, actor.userId, actor.ipAddress, actor.userAgent, actor.ja3]).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    });

    it("api_key: the key's user first, then its service account, then the key id", () => {
      const user = resolveActor({
        type: 'api_key',
        session: both.session,
        api_key: { id: 'k', user: { id: 'u-k', email: 'k@x' }, service_account: { id: 'svc' } },
      });
      expect([user.key, user.email]).toEqual(['user:u-k', 'k@x']);
      const keyOnly = resolveActor({ type: 'api_key', session: both.session, api_key: { id: 'k' } });
      expect(keyOnly.key).toBe('api_key:k');
    });

    it('a type naming an absent object resolves to nobody rather than to the other object', () => {
      expect(resolveActor({ type: 'session', api_key: both.api_key }).key).toBe('unknown');
      expect(resolveActor({ type: 'api_key', session: both.session }).key).toBe('unknown');
    });

    it('a missing or unknown type reads both, session user first (the order before actor.type was used)', () => {
      for (const type of [undefined, 'robot', 7]) {
        const actor = resolveActor({ type, ...both });
        expect([actor.key, actor.ipAddress, actor.apiKeyId, actor.serviceAccountId]).toEqual([
          'user:user-s',
          '203.0.113.9',
          'key_k',
          'svc_k',
        ]);
      }
      const keyFirst = resolveActor({ session: { user: { email: 'only@x' } }, api_key: { id: 'k' } });
      expect([keyFirst.key, keyFirst.email]).toEqual(['api_key:k', 'only@x']);
    });
  });
});
