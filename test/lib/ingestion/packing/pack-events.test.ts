// Packing events into queue messages: pure code, no I/O. One hostile event (10,000 levels deep,
// 18 MB, not serialisable) is set aside with its reason; the others are packed as if it were absent.
import { describe, expect, it } from 'vitest';
import { ENVELOPE_TAG, envelopeOpening, readEnvelope } from '../../../../lib/ingestion/packing/envelope.ts';
import {
  DEFAULT_ORGANIZATION,
  organizationIdProblem,
  organizationName,
  type Organization,
} from '../../../../lib/ingestion/packing/organization.ts';
import { packEvents } from '../../../../lib/ingestion/packing/pack-events.ts';
import { nestingDepth, serializeEvent } from '../../../../lib/ingestion/packing/serialize-event.ts';

const ACME: Organization = { id: 'org-acme', name: 'Acme' };
const event = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'login.succeeded',
  effective_at: 1,
  ...extra,
});
const deep = (levels: number) =>
  JSON.parse(`{"id":"deep","type":"login.succeeded","x":${'['.repeat(levels)}${']'.repeat(levels)}}`) as unknown;

function envelopes(bodies: readonly string[]) {
  return bodies.map(
    (body) =>
      JSON.parse(body) as {
        envelope: string;
        source: string;
        organization: Organization;
        events: Array<{ id: string }>;
      },
  );
}

describe('packEvents', () => {
  it('packs events in order into envelopes of at most 100 events, naming organization and source', () => {
    const events = Array.from({ length: 250 }, (_, i) => event(`e${i}`));
    const { bodies, packed, rejected } = packEvents(events, { organization: ACME, source: 'poller' });
    const parsed = envelopes(bodies);
    expect(parsed.map((b) => b.events.length)).toEqual([100, 100, 50]);
    expect(parsed.flatMap((b) => b.events.map((e) => e.id))).toEqual(events.map((e) => e.id));
    expect(
      parsed.every(
        (b) =>
          b.envelope === ENVELOPE_TAG &&
          b.source === 'poller' &&
          b.organization.id === 'org-acme' &&
          b.organization.name === 'Acme',
      ),
    ).toBe(true);
    expect([packed, rejected]).toEqual([250, []]);
    expect(packEvents([], { organization: ACME, source: 'poller' })).toEqual({ bodies: [], packed: 0, rejected: [] });
  });

  it('keeps every body within the byte limit, a large event travelling alone', () => {
    const events = Array.from({ length: 5 }, (_, i) => event(`b${i}`, { pad: 'x'.repeat(900) }));
    const { bodies } = packEvents(events, { organization: ACME, source: 'poller', maxBytes: 2200 });
    expect(bodies.every((b) => Buffer.byteLength(b) <= 2200)).toBe(true);
    expect(bodies.length).toBeGreaterThan(2);
    expect(envelopes(bodies).flatMap((b) => b.events)).toHaveLength(5);
  });

  it('sets aside an event nested 10,000 levels deep with its reason, and packs the others', () => {
    const { bodies, rejected } = packEvents([event('before'), deep(10_000), event('after')], {
      organization: DEFAULT_ORGANIZATION,
      source: 'poller',
    });
    expect(envelopes(bodies).flatMap((b) => b.events.map((e) => e.id))).toEqual(['before', 'after']);
    expect(rejected).toEqual([
      {
        index: 1,
        eventId: 'deep',
        reason: 'the event nests objects and arrays deeper than 64 levels',
        excerpt: '{"id":"deep","type":"login.succeeded"}',
      },
    ]);
  });

  it('sets aside an 18 MB event, keeping a 2,000-character excerpt', () => {
    const huge = event('huge', { pad: 'y'.repeat(18_000_000) });
    const { bodies, rejected } = packEvents([huge, event('small')], { organization: ACME, source: 'webhook' });
    expect(envelopes(bodies).flatMap((b) => b.events.map((e) => e.id))).toEqual(['small']);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatch(
      /^the event is 18000\d{3} bytes as JSON; a queue message holds at most 249\d{3}$/,
    );
    expect(rejected[0]?.excerpt).toHaveLength(2000);
    expect(rejected[0]?.excerpt.startsWith('{"id":"huge"')).toBe(true);
  });

  it('sets aside an event that JSON cannot represent (a cycle), naming the error', () => {
    const cyclic: Record<string, unknown> = event('cyc');
    cyclic.self = { back: cyclic };
    // A cycle is infinitely deep: the depth walk stops at the limit before JSON.stringify would see it.
    expect(packEvents([cyclic], { organization: ACME, source: 'local' }).rejected[0]?.reason).toBe(
      'the event nests objects and arrays deeper than 64 levels',
    );
    const bigint = event('big', { n: 1n });
    const result = packEvents([bigint], { organization: ACME, source: 'local' });
    expect(result.rejected[0]?.reason).toMatch(
      /^the event cannot be serialised as JSON \(TypeError: Do not know how to serialize a BigInt\)$/,
    );
    expect(result.bodies).toEqual([]);
  });
});

describe('serializeEvent and nestingDepth', () => {
  it('measures depth without recursion and stops past the limit', () => {
    expect(nestingDepth(1, 64)).toBe(0);
    expect(nestingDepth({ a: [{ b: 1 }] }, 64)).toBe(3);
    expect(nestingDepth(deep(1_000_000), 64)).toBe(65);
  });

  it('accepts an event at exactly the limits and refuses one just past them', () => {
    const atDepth = JSON.parse(`{"id":"d","type":"t","x":${'['.repeat(63)}${']'.repeat(63)}}`) as unknown;
    expect(serializeEvent(atDepth).ok).toBe(true);
    expect(serializeEvent(deep(64)).ok).toBe(false);
    const json = JSON.stringify(event('s'));
    expect(serializeEvent(event('s'), { maxBytes: json.length })).toEqual({ ok: true, json, bytes: json.length });
    expect(serializeEvent(event('s'), { maxBytes: json.length - 1 }).ok).toBe(false);
  });
});

describe('the envelope', () => {
  it('reads back what packing writes, and nothing else', () => {
    const body = `${envelopeOpening(ACME, 'poller')}${JSON.stringify(event('x'))}]}`;
    expect(readEnvelope(JSON.parse(body))).toEqual({
      header: { organization: ACME, source: 'poller' },
      events: [event('x')],
    });
    expect(readEnvelope([event('x')])).toBeUndefined();
    expect(readEnvelope({ object: 'list', data: [] })).toBeUndefined();
    expect(readEnvelope({ envelope: 'something-else', events: [] })).toBeUndefined();
  });

  it.each([
    [{ envelope: ENVELOPE_TAG, events: [] }, 'envelope: "organization" must be an object'],
    [
      { envelope: ENVELOPE_TAG, organization: { id: 'a|b' }, events: [] },
      'envelope: organization.id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit',
    ],
    [{ envelope: ENVELOPE_TAG, organization: { id: 7 }, events: [] }, 'envelope: organization.id must be a string'],
  ])('reports a malformed envelope %j', (value, error) => {
    expect(readEnvelope(value)).toEqual({ error });
  });

  it('makes organization names safe and checks ids', () => {
    expect(organizationName(' Acme\u202e\n ')).toBe('Acme\\u202e');
    expect(organizationName('n'.repeat(100))).toHaveLength(65);
    expect(organizationName(5)).toBe('');
    expect(organizationIdProblem('org-AbC_1')).toBeUndefined();
    expect(organizationIdProblem('-org')).toBeDefined();
    expect(organizationIdProblem('o'.repeat(65))).toBeDefined();
  });
});
