// What one line of the archive holds and how a line or an object that cannot be read is told
// apart: the layout's key order, the event exactly as received, every decode problem named.
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  archivedEvent,
  archivedEventDay,
  archivedEventTime,
  decodeAlertLine,
  decodeEventLine,
  effectiveAtSeconds,
  encodeAlertLine,
  encodeEventLine,
  gzipLines,
  objectLines,
  type ArchivedEvent,
} from '../../../lib/archive/index.ts';
import type { AlertDocument } from '../../../lib/pipeline/alerts/alert-document.ts';

const event = { id: 'audit_log-1', type: 'login.failed', effective_at: 1732430000, actor: { type: 'session' } };
const line: ArchivedEvent = archivedEvent({
  organizationId: 'org-abc123',
  messageId: 'm-1',
  source: 'poller',
  receivedAt: new Date('2024-11-24T08:00:00Z'),
  event,
});

describe('event lines', () => {
  it('writes organization_id, message_id, source, received_at and event, in that order, the event as received', () => {
    // Keys given in another order come out in the layout's.
    const shuffled = {
      event,
      received_at: line.received_at,
      source: 'poller',
      message_id: 'm-1',
      organization_id: null,
    };
    expect(encodeEventLine(shuffled)).toBe(
      `{"organization_id":null,"message_id":"m-1","source":"poller","received_at":"2024-11-24T08:00:00.000Z","event":${JSON.stringify(event)}}`,
    );
    expect(JSON.parse(encodeEventLine(line))).toEqual({
      organization_id: 'org-abc123',
      message_id: 'm-1',
      source: 'poller',
      received_at: '2024-11-24T08:00:00.000Z',
      event,
    });
  });

  it('reads a line back to the same value', () => {
    expect(decodeEventLine(encodeEventLine(line))).toEqual({ line });
  });

  it('refuses a receivedAt a key cannot place', () => {
    expect(() =>
      archivedEvent({ organizationId: null, messageId: 'm', source: '', receivedAt: new Date(Number.NaN), event }),
    ).toThrow('receivedAt is not a time from 1970 to 9999');
  });

  it('places an event by its effective_at (a number or a string of digits), else by when it was received', () => {
    expect(archivedEventTime(line)).toBe(1732430000_000);
    expect(archivedEventDay(line)).toBe('2024-11-24');
    expect(effectiveAtSeconds({ id: 'e', type: 't', effective_at: '1732430000' })).toBe(1732430000);
    for (const effective_at of [-5, 'soon', null, 1e15])
      expect(effectiveAtSeconds({ id: 'e', type: 't', effective_at }), String(effective_at)).toBeUndefined();
    const undated = { ...line, received_at: '2024-11-30T01:02:03.000Z', event: { id: 'e', type: 't' } };
    expect(archivedEventTime(undated)).toBe(Date.parse('2024-11-30T01:02:03.000Z'));
    expect(archivedEventDay(undated)).toBe('2024-11-30');
  });

  it('says why a line is not an archived event', () => {
    const base = JSON.parse(encodeEventLine(line)) as Record<string, unknown>;
    const text = (change: Record<string, unknown>) => JSON.stringify({ ...base, ...change });
    expect(decodeEventLine('{"organization_id":')).toEqual({
      problem: 'not valid JSON: Unexpected end of JSON input (column 20)',
    });
    expect(decodeEventLine('[1]')).toEqual({ problem: 'not an archived event: expected a JSON object' });
    expect(decodeEventLine(text({ organization_id: 7 }))).toEqual({
      problem: 'not an archived event: "organization_id" must be a string or null',
    });
    expect(decodeEventLine(text({ message_id: undefined }))).toEqual({
      problem: 'not an archived event: "message_id" must be a string',
    });
    expect(decodeEventLine(text({ received_at: 'yesterday' }))).toEqual({
      problem: 'not an archived event: "received_at" must be an ISO 8601 time',
    });
    expect(decodeEventLine(text({ event: { id: 'x' } }))).toEqual({
      problem: 'not an archived event: "event": missing required field "type"',
    });
    expect(decodeEventLine(text({ event: 'x' }))).toEqual({
      problem: 'not an archived event: "event": expected an audit event object, got string',
    });
  });
});

describe('alert lines', () => {
  const alert: AlertDocument = {
    version: 1,
    alertId: '7885288cb029e201331629ee3b2b2a39',
    ruleId: 'OpenAI.API.Key.Anomalous.Activity',
    ruleName: 'OpenAI Anomalous API Key Activity',
    severity: 'HIGH',
    title: 'OpenAI API Key with Elevated Scopes',
    dedupKey: 'd',
    createdAt: '2024-11-24T06:36:21.000Z',
    windowStart: '2024-11-24T06:00:00.000Z',
    windowEndsAt: '2024-11-24T07:00:00.000Z',
    escalatesAlertId: null,
    escalatedFromSeverity: null,
    description: '',
    runbook: '',
    reference: '',
    mitre: [],
    logType: 'OpenAI.Audit',
    eventCount: 1,
    eventId: 'e1',
    eventType: 'api_key.updated',
    eventTime: '2024-11-24T06:36:20.000Z',
    alertContext: { k: 'v' },
  };

  it("is the alert document's JSON, read back whole", () => {
    expect(encodeAlertLine(alert)).toBe(JSON.stringify(alert));
    expect(decodeAlertLine(encodeAlertLine(alert))).toEqual({ alert });
  });

  it('says why a line is not an alert document', () => {
    const text = (change: Record<string, unknown>) => JSON.stringify({ ...alert, ...change });
    expect(decodeAlertLine(text({ alertId: 3 }))).toEqual({
      problem: 'not an alert document: "alertId" must be a string',
    });
    expect(decodeAlertLine(text({ createdAt: 'now' }))).toEqual({
      problem: 'not an alert document: "createdAt" must be an ISO 8601 time',
    });
    expect(decodeAlertLine(text({ severity: 'high' }))).toEqual({
      problem: 'not an alert document: "severity" must be one of INFO, LOW, MEDIUM, HIGH, CRITICAL',
    });
    expect(decodeAlertLine('null')).toEqual({ problem: 'not an alert document: expected a JSON object' });
    expect('problem' in decodeAlertLine('{')).toBe(true);
  });
});

describe('object bodies', () => {
  it('are gzip JSON Lines, one line per value, each ended by a newline', () => {
    const body = gzipLines(['{"a":1}', '{"b":2}']);
    expect([body[0], body[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(body).toString('utf8')).toBe('{"a":1}\n{"b":2}\n');
  });

  it('are read line by line with the numbers lines have in the object, blank lines and \\r left out', () => {
    const body = gzipSync(Buffer.from('{"a":1}\r\n\n  \n{"b":2}'));
    expect(objectLines(body)).toEqual({
      lines: [
        { number: 1, text: '{"a":1}' },
        { number: 4, text: '{"b":2}' },
      ],
    });
  });

  it('are read as they are when an HTTP client already undid the gzip encoding', () => {
    expect(objectLines(Buffer.from('{"a":1}\n'))).toEqual({ lines: [{ number: 1, text: '{"a":1}' }] });
  });

  it('that are broken gzip or not UTF-8 are a problem, not an exception', () => {
    const broken = gzipLines(['{"a":1}']).slice(0, 12);
    expect(objectLines(broken)).toEqual({ problem: expect.stringMatching(/^not a readable gzip object: /) as unknown });
    expect(objectLines(gzipSync(Buffer.from([0x7b, 0xff, 0x7d])))).toEqual({ problem: 'not UTF-8 text' });
  });
});
