import { describe, expect, it } from 'vitest';
import { auditEventProblem, extractAuditEvents } from '../../../../lib/detection/openai/extract-events.ts';

const ok = (id: string) => ({ id, type: 'login.succeeded' });

describe('extractAuditEvents', () => {
  it('accepts a single event', () => {
    expect(extractAuditEvents(ok('a'))).toEqual({ events: [{ path: '', event: ok('a') }], problems: [] });
  });

  it('accepts an array and reports bad elements by index, keeping the good ones', () => {
    const result = extractAuditEvents([ok('a'), 7, { id: 'b' }, ok('c')]);
    expect(result.events.map((e) => [e.path, e.event.id])).toEqual([
      ['[0]', 'a'],
      ['[3]', 'c'],
    ]);
    expect(result.problems).toEqual([
      { path: '[1]', reason: 'expected an audit event object, got number' },
      { path: '[2]', reason: 'missing required field "type"' },
    ]);
  });

  it('accepts an OpenAI list page', () => {
    const page = { object: 'list', data: [ok('a'), ok('b')], first_id: 'a', last_id: 'b', has_more: false };
    expect(extractAuditEvents(page).events.map((e) => e.path)).toEqual(['data[0]', 'data[1]']);
    expect(extractAuditEvents({ object: 'list', data: {} }).problems).toEqual([
      { path: 'data', reason: 'list page "data" must be an array, got object' },
    ]);
  });

  it('handles empty arrays and pages', () => {
    expect(extractAuditEvents([])).toEqual({ events: [], problems: [] });
    expect(extractAuditEvents({ object: 'list', data: [] })).toEqual({ events: [], problems: [] });
  });
});

describe('auditEventProblem', () => {
  it('requires non-empty string id and type', () => {
    expect(auditEventProblem(ok('a'))).toBeUndefined();
    expect(auditEventProblem({ type: 'x' })).toBe('missing required field "id"');
    expect(auditEventProblem({ id: 1, type: 'x' })).toBe('"id" must be a string, got number');
    expect(auditEventProblem({ id: 'a', type: ' ' })).toBe('"type" is empty');
    expect(auditEventProblem({ id: 'a', type: null })).toBe('"type" must be a string, got null');
    expect(auditEventProblem(null)).toBe('expected an audit event object, got null');
    expect(auditEventProblem(JSON.parse('{"__proto__":{"id":"a","type":"x"}}'))).toBe('missing required field "type"');
  });
});
