import { describe, expect, it } from 'vitest';
import { auditEventType, eventDetails, normalizeAuditEvent } from '../../../../lib/detection/openai/normalize.ts';

describe('normalizeAuditEvent', () => {
  it('reads the identity, time, project and details of an OpenAI-shaped event', () => {
    const event = normalizeAuditEvent({
      id: 'audit_log-1',
      type: 'api_key.created',
      effective_at: 1720804090,
      project: { id: 'proj_1', name: 'P' },
      actor: { type: 'session', session: { user: { id: 'user-1' } } },
      'api_key.created': { id: 'key_1' },
    });
    expect(event).toMatchObject({
      id: 'audit_log-1',
      type: 'api_key.created',
      effectiveAt: 1720804090,
      projectId: 'proj_1',
      projectName: 'P',
      details: { id: 'key_1' },
    });
    expect(event.actor.key).toBe('user:user-1');
  });

  it('reads details from the Panther shape, and prefers the dotted key when both are objects', () => {
    expect(eventDetails({ api_key_updated: { id: 'u' } }, 'api_key.updated')).toEqual({ id: 'u' });
    expect(eventDetails({ 'a.b': { id: 'dot' }, a_b: { id: 'under' } }, 'a.b')).toEqual({ id: 'dot' });
    expect(eventDetails({ 'a.b': null, a_b: { id: 'under' } }, 'a.b')).toEqual({ id: 'under' });
    expect(
      eventDetails(
        { 'ip_allowlist.config.activated': 1, ip_allowlist_config_activated: { configs: [] } },
        'ip_allowlist.config.activated',
      ),
    ).toEqual({ configs: [] });
    expect(eventDetails({ x: { a: 1 } }, undefined)).toBeUndefined();
  });

  it('reads the Panther shape of every type, past the types whose underscored key it keeps', () => {
    // The underscored keys are kept for 512 types; types come from input, so more must still work.
    for (let n = 0; n < 1200; n++) {
      const type = `t.${n}.x`;
      expect(eventDetails({ [`t_${n}_x`]: { n } }, type)).toEqual({ n });
      expect(eventDetails({ [`t_${n}_x`]: { n } }, type)).toEqual({ n });
      expect(eventDetails({ [`t_${n + 1}_x`]: { n } }, type)).toBeUndefined();
    }
  });

  it('accepts numeric strings for effective_at and drops anything else', () => {
    expect(normalizeAuditEvent({ effective_at: '1720804090' }).effectiveAt).toBe(1720804090);
    expect(normalizeAuditEvent({ effective_at: 'yesterday' }).effectiveAt).toBeUndefined();
    expect(normalizeAuditEvent({ effective_at: null }).effectiveAt).toBeUndefined();
  });

  it('never throws and gives an empty event for non-objects', () => {
    for (const raw of [null, undefined, 42, 'x', [], [{ type: 'api_key.created' }]]) {
      const event = normalizeAuditEvent(raw);
      expect([event.id, event.type, event.details]).toEqual([undefined, undefined, undefined]);
    }
  });

  it('does not take prototype properties for event fields or details', () => {
    const event = normalizeAuditEvent(JSON.parse('{"type":"constructor","id":"x"}'));
    expect(event.details).toBeUndefined();
    expect(normalizeAuditEvent({ type: '__proto__' }).details).toBeUndefined();
    const own = normalizeAuditEvent(JSON.parse('{"type":"__proto__","__proto__":{"id":"p"}}'));
    expect(own.details).toEqual({ id: 'p' });
  });

  it('reads the type only when it is a string', () => {
    expect(auditEventType({ type: 'login.failed' })).toBe('login.failed');
    expect(auditEventType({ type: ['login.failed'] })).toBeUndefined();
    expect(auditEventType(JSON.parse('{"__proto__":{"type":"x"}}'))).toBeUndefined();
    expect(auditEventType(null)).toBeUndefined();
  });
});
