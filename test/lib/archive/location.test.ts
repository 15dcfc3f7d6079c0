// The CLI's --archive, --from and --to values: what each form means, and a precise problem for
// every value that cannot be one.
import { describe, expect, it } from 'vitest';
import {
  describeArchiveLocation,
  normalizeS3Prefix,
  parseArchiveLocation,
  parseIsoTime,
  parseTimeRange,
} from '../../../lib/archive/index.ts';

describe('parseArchiveLocation', () => {
  it('reads s3://BUCKET[/PREFIX], a trailing slash ignored, and anything else as a directory', () => {
    expect(parseArchiveLocation('s3://audit-archive')).toEqual({
      location: { kind: 's3', bucket: 'audit-archive', prefix: '' },
    });
    expect(parseArchiveLocation('s3://audit.archive-1/prod/openai/')).toEqual({
      location: { kind: 's3', bucket: 'audit.archive-1', prefix: 'prod/openai' },
    });
    expect(parseArchiveLocation('S3://abc/')).toEqual({ location: { kind: 's3', bucket: 'abc', prefix: '' } });
    expect(parseArchiveLocation('./archive')).toEqual({ location: { kind: 'directory', path: './archive' } });
    expect(parseArchiveLocation('/data/s3:/x')).toEqual({ location: { kind: 'directory', path: '/data/s3:/x' } });
  });

  it('says precisely what is wrong', () => {
    const cases: Array<[string, string]> = [
      ['', 'it is empty: give s3://BUCKET[/PREFIX] or a directory'],
      ['https://bucket.s3.amazonaws.com/x', '"https://" is not supported: give s3://BUCKET[/PREFIX] or a directory'],
      ['s3://', 'the bucket name is missing'],
      ['s3:///prefix', 'the bucket name is missing'],
      [
        's3://Audit_Archive',
        'the bucket name "Audit_Archive" is not one: 3-63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit',
      ],
      [
        's3://ab',
        'the bucket name "ab" is not one: 3-63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit',
      ],
      ['s3://a..b', 'the bucket name "a..b" has two dots in a row'],
      ['s3://192.168.1.1', 'the bucket name "192.168.1.1" is an IP address'],
      ['s3://bucket/a//b', 'the prefix "a//b" has an empty segment ("//")'],
    ];
    for (const [text, problem] of cases) expect(parseArchiveLocation(text), text).toEqual({ problem });
  });

  it('describes a location as it is written', () => {
    expect(describeArchiveLocation({ kind: 's3', bucket: 'b-1', prefix: 'p/q' })).toBe('s3://b-1/p/q');
    expect(describeArchiveLocation({ kind: 's3', bucket: 'b-1', prefix: '' })).toBe('s3://b-1');
    expect(describeArchiveLocation({ kind: 'directory', path: 'dir' })).toBe('dir');
    expect(normalizeS3Prefix('//a/b//')).toBe('a/b');
  });
});

describe('parseIsoTime and parseTimeRange', () => {
  it('reads a date as midnight UTC, and a date and time with its zone', () => {
    const time = (text: string) => {
      const parsed = parseIsoTime(text);
      return 'time' in parsed ? parsed.time.toISOString() : parsed.problem;
    };
    expect(time('2024-11-24')).toBe('2024-11-24T00:00:00.000Z');
    expect(time('2024-11-24T06:00Z')).toBe('2024-11-24T06:00:00.000Z');
    expect(time('2024-11-24T06:00:00+01:00')).toBe('2024-11-24T05:00:00.000Z');
    expect(time('2024-11-24T06:00:00.250-02:30')).toBe('2024-11-24T08:30:00.250Z');
  });

  it('refuses what is not ISO 8601, a time without a zone and a date that does not exist', () => {
    expect(parseIsoTime('yesterday')).toEqual({
      problem: 'must be an ISO 8601 date or time such as 2024-11-24 or 2024-11-24T06:00:00Z, got "yesterday"',
    });
    expect(parseIsoTime('2024-11-24T06:00:00')).toEqual({
      problem: 'needs a time zone (Z or +HH:MM), such as 2024-11-24 or 2024-11-24T06:00:00Z, got "2024-11-24T06:00:00"',
    });
    for (const text of ['2024-02-30', '2023-02-29', '2024-11-24T24:00:00Z', '2024-11-24T06:60Z'])
      expect(parseIsoTime(text), text).toEqual({ problem: `is not a real date and time, got "${text}"` });
    expect(parseIsoTime('1732430000')).toEqual({
      problem: 'must be an ISO 8601 date or time such as 2024-11-24 or 2024-11-24T06:00:00Z, got "1732430000"',
    });
  });

  it('requires --from and --to, --to after --from', () => {
    expect(parseTimeRange('2024-11-24', '2024-11-25T12:00:00Z')).toEqual({
      range: { from: new Date('2024-11-24T00:00:00Z'), to: new Date('2024-11-25T12:00:00Z') },
    });
    expect(parseTimeRange(undefined, '2024-11-25')).toEqual({
      problem: '--from is required: the start of the range, e.g. --from 2024-11-24',
    });
    expect(parseTimeRange('2024-11-24', undefined)).toEqual({
      problem: '--to is required: the end of the range (excluded), e.g. --to 2024-11-25',
    });
    expect(parseTimeRange('2024-11-24', '2024-11-24')).toEqual({
      problem: '--to (2024-11-24T00:00:00.000Z) must be after --from (2024-11-24T00:00:00.000Z)',
    });
    expect(parseTimeRange('nope', '2024-11-24')).toEqual({
      problem: '--from must be an ISO 8601 date or time such as 2024-11-24 or 2024-11-24T06:00:00Z, got "nope"',
    });
    expect(parseTimeRange('2024-11-24', '2024-11-24T01:00')).toEqual({
      problem:
        '--to needs a time zone (Z or +HH:MM), such as 2024-11-24 or 2024-11-24T06:00:00Z, got "2024-11-24T01:00"',
    });
  });
});
