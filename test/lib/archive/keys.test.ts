// The archive's layout: the keys others depend on, exactly; a key parsed back to its partition
// values; unsafe segments refused with a clear error, never written into a key.
import { describe, expect, it } from 'vitest';
import {
  alertDayFolder,
  alertObjectKey,
  dayOfFolder,
  dayRange,
  eventDayFolder,
  eventObjectKey,
  eventOrganizationFolder,
  isUtcDay,
  organizationOfFolder,
  parseArchiveKey,
  safeSegment,
  segmentProblem,
  utcDay,
} from '../../../lib/archive/index.ts';

const OBJECT_ID = '0123456789abcdef0123456789abcdef';

describe('archive keys', () => {
  it('names events objects events/org=<org>/dt=<YYYY-MM-DD>/<objectId>.jsonl.gz, org=none without an organization', () => {
    expect(eventObjectKey('org-abc123', '2024-11-24', OBJECT_ID)).toBe(
      `events/org=org-abc123/dt=2024-11-24/${OBJECT_ID}.jsonl.gz`,
    );
    expect(eventObjectKey(null, '2024-11-24', OBJECT_ID)).toBe(`events/org=none/dt=2024-11-24/${OBJECT_ID}.jsonl.gz`);
    expect(eventOrganizationFolder('org_A-1')).toBe('events/org=org_A-1/');
    expect(eventDayFolder(null, '2024-02-29')).toBe('events/org=none/dt=2024-02-29/');
  });

  it('names alert objects alerts/dt=<YYYY-MM-DD>/<alertId>.jsonl.gz', () => {
    expect(alertObjectKey('2024-11-24', '7885288cb029e201331629ee3b2b2a39')).toBe(
      'alerts/dt=2024-11-24/7885288cb029e201331629ee3b2b2a39.jsonl.gz',
    );
    expect(alertDayFolder('2024-11-24')).toBe('alerts/dt=2024-11-24/');
  });

  it('throws a clear Error for an organization, object or alert id that is not a safe path segment', () => {
    for (const unsafe of ['', '../etc', 'a/b', 'org abc', 'org.abc', 'é', 'x'.repeat(129), 'org=a']) {
      expect(() => eventObjectKey(unsafe, '2024-11-24', OBJECT_ID), unsafe).toThrow(
        /^unsafe organization id ".*" for an archive key: must be 1-128 letters, digits, "-" or "_"$/,
      );
    }
    expect(() => eventObjectKey('org-a', '2024-11-24', '../x')).toThrow(
      'unsafe object id "../x" for an archive key: must be 1-128 letters, digits, "-" or "_"',
    );
    expect(() => alertObjectKey('2024-11-24', 'a/b')).toThrow('unsafe alert id "a/b" for an archive key');
    expect(() => safeSegment('a\u202eb', 'alert id')).toThrow('unsafe alert id "a\\u202eb" for an archive key');
    expect(segmentProblem(42)).toBe('must be a string');
    expect(segmentProblem('x'.repeat(128))).toBeUndefined();
  });

  it('refuses a dt that is not a real date', () => {
    expect(() => eventDayFolder('org-a', '2024-13-01')).toThrow('not an archive date (YYYY-MM-DD): "2024-13-01"');
    expect(() => alertObjectKey('2023-02-29', 'a1')).toThrow('not an archive date (YYYY-MM-DD): "2023-02-29"');
    expect(() => alertObjectKey('24-11-24', 'a1')).toThrow('not an archive date');
    expect([isUtcDay('2024-02-29'), isUtcDay('2023-02-29'), isUtcDay('2024-2-1')]).toEqual([true, false, false]);
  });

  it('parses a key back to its partition values, and nothing from a key outside the layout', () => {
    expect(parseArchiveKey(`events/org=org-abc123/dt=2024-11-24/${OBJECT_ID}.jsonl.gz`)).toEqual({
      kind: 'events',
      organization: 'org-abc123',
      day: '2024-11-24',
      objectId: OBJECT_ID,
    });
    expect(parseArchiveKey('alerts/dt=2024-11-24/a1.jsonl.gz')).toEqual({
      kind: 'alerts',
      day: '2024-11-24',
      alertId: 'a1',
    });
    for (const key of [
      `events/org=org-abc123/dt=2024-11-24/${OBJECT_ID}.jsonl`,
      `events/org=org-abc123/dt=2024-11-31/${OBJECT_ID}.jsonl.gz`,
      `events/org=a b/dt=2024-11-24/${OBJECT_ID}.jsonl.gz`,
      `events/dt=2024-11-24/${OBJECT_ID}.jsonl.gz`,
      `prefix/events/org=a/dt=2024-11-24/${OBJECT_ID}.jsonl.gz`,
      'alerts/dt=2024-11-24/sub/a1.jsonl.gz',
      'alerts/dt=2024-11-24/.jsonl.gz',
    ])
      expect(parseArchiveKey(key), key).toBeUndefined();
  });

  it('reads the organization and the day of a folder', () => {
    expect(organizationOfFolder('events/org=org-abc123/')).toBe('org-abc123');
    expect(organizationOfFolder('events/org=a b/')).toBeUndefined();
    expect(organizationOfFolder('events/tmp/')).toBeUndefined();
    expect(dayOfFolder('events/org=none/dt=2024-11-24/')).toBe('2024-11-24');
    expect(dayOfFolder('alerts/dt=2024-11-24/')).toBe('2024-11-24');
    expect(dayOfFolder('alerts/dt=yesterday/')).toBeUndefined();
  });

  it('dates a time by its UTC day, and gives the days a [from, to) range can be in', () => {
    expect(utcDay(Date.parse('2024-11-24T23:59:59.999Z'))).toBe('2024-11-24');
    expect(utcDay(Date.parse('2024-11-25T00:00:00Z'))).toBe('2024-11-25');
    expect(() => utcDay(-1)).toThrow(RangeError);
    // `to` is excluded: a range ending at midnight does not reach into that day.
    expect(dayRange(Date.parse('2024-11-24T06:00:00Z'), Date.parse('2024-11-26T00:00:00Z'))).toEqual({
      first: '2024-11-24',
      last: '2024-11-25',
    });
    expect(dayRange(Date.parse('2024-11-24T06:00:00Z'), Date.parse('2024-11-26T00:00:00.001Z'))).toEqual({
      first: '2024-11-24',
      last: '2024-11-26',
    });
    expect(dayRange(Date.parse('1960-01-01T00:00:00Z'), Date.parse('1970-01-02T00:00:00Z'))).toEqual({
      first: '1970-01-01',
      last: '1970-01-01',
    });
    expect(dayRange(Date.parse('1960-01-01T00:00:00Z'), Date.parse('1965-01-01T00:00:00Z'))).toBeUndefined();
  });
});
