// One object per (organization, dt) partition of a batch, named by its messages: a redelivered
// batch, in any order, writes the same keys with the same bytes.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  alertObject,
  archivedEvent,
  encodeEventLine,
  objectIdOf,
  partitionEvents,
  type ArchivedEvent,
} from '../../../lib/archive/index.ts';

const at = (id: string, effectiveAt: number | undefined) => ({
  id,
  type: 'login.failed',
  ...(effectiveAt === undefined ? {} : { effective_at: effectiveAt }),
});
const line = (messageId: string, organizationId: string | null, event: ReturnType<typeof at>): ArchivedEvent =>
  archivedEvent({ organizationId, messageId, source: 'poller', receivedAt: new Date('2024-11-25T10:00:00Z'), event });

const DAY1 = Date.parse('2024-11-24T23:59:59Z') / 1000;
const DAY2 = Date.parse('2024-11-25T00:00:00Z') / 1000;

const batch = [
  line('m-3', 'org-a', at('e1', DAY1)),
  line('m-1', 'org-a', at('e2', DAY2)),
  line('m-1', 'org-a', at('e3', DAY1)), // one message, two events, two days
  line('m-2', 'org-b', at('e4', DAY1)),
  line('m-4', null, at('e5', undefined)), // no organization, no effective_at: dated by received_at
];

const textOf = (body: Uint8Array) => gunzipSync(body).toString('utf8');

describe('partitionEvents', () => {
  it('writes one object per (organization, UTC day of the event time), in key order', () => {
    const objects = partitionEvents(batch);
    const id = (...messages: string[]) => objectIdOf(messages);
    expect(objects.map((object) => object.key)).toEqual([
      `events/org=none/dt=2024-11-25/${id('m-4')}.jsonl.gz`,
      `events/org=org-a/dt=2024-11-24/${id('m-1', 'm-3')}.jsonl.gz`,
      `events/org=org-a/dt=2024-11-25/${id('m-1')}.jsonl.gz`,
      `events/org=org-b/dt=2024-11-24/${id('m-2')}.jsonl.gz`,
    ]);
    // Lines ordered by message id, each followed by a newline.
    expect(textOf(objects[1]?.body ?? new Uint8Array())).toBe(
      `${encodeEventLine(batch[2] as ArchivedEvent)}\n${encodeEventLine(batch[0] as ArchivedEvent)}\n`,
    );
  });

  it('names an object by the first 32 hex of SHA-256 over its distinct message ids, sorted and joined by newlines', () => {
    const expected = createHash('sha256').update('m-1\nm-3').digest('hex').slice(0, 32);
    expect(objectIdOf(['m-3', 'm-1', 'm-3'])).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives a redelivered batch, in any order, the same keys and the same bytes', () => {
    const first = partitionEvents(batch);
    const again = partitionEvents([...batch].reverse());
    expect(again.map((o) => o.key)).toEqual(first.map((o) => o.key));
    expect(again.map((o) => Buffer.from(o.body).toString('hex'))).toEqual(
      first.map((o) => Buffer.from(o.body).toString('hex')),
    );
    // Node's gzip header carries no time (MTIME is zero): nothing varies from run to run.
    expect([...(first[0]?.body.subarray(4, 8) ?? [])]).toEqual([0, 0, 0, 0]);
  });

  it('puts a record redelivered in another batch in another object', () => {
    const [alone] = partitionEvents([line('m-2', 'org-b', at('e4', DAY1))]);
    const [withAnother] = partitionEvents([line('m-2', 'org-b', at('e4', DAY1)), line('m-9', 'org-b', at('e9', DAY1))]);
    expect(alone?.key).not.toBe(withAnother?.key);
  });

  it('throws on an organization id that is not a safe key segment', () => {
    expect(() => partitionEvents([line('m-1', 'org/../x', at('e1', DAY1))])).toThrow(
      'unsafe organization id "org/../x" for an archive key',
    );
  });

  it('writes nothing for an empty batch', () => {
    expect(partitionEvents([])).toEqual([]);
  });
});

describe('alertObject', () => {
  it('writes an alert to alerts/dt=<day of createdAt>/<alertId>.jsonl.gz, one line, deterministically', () => {
    const alert = { alertId: 'a1b2', createdAt: '2024-11-24T23:59:59.999Z', title: 't' };
    const object = alertObject(alert);
    expect(object.key).toBe('alerts/dt=2024-11-24/a1b2.jsonl.gz');
    expect(textOf(object.body)).toBe(`${JSON.stringify(alert)}\n`);
    expect(Buffer.from(alertObject({ ...alert }).body).equals(Buffer.from(object.body))).toBe(true);
  });

  it('refuses an unsafe alert id or a createdAt that is not a time', () => {
    expect(() => alertObject({ alertId: '../a', createdAt: '2024-11-24T00:00:00Z' })).toThrow(
      'unsafe alert id "../a" for an archive key',
    );
    expect(() => alertObject({ alertId: 'a1', createdAt: 'later' })).toThrow(
      'alert createdAt is not an ISO 8601 time: "later"',
    );
  });
});
