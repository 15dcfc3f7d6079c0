import { describe, expect, it } from 'vitest';
import { messageContent } from '../../../../lib/pipeline/intake/message-body.ts';

const event = (id: string) => ({ id, type: 'login.succeeded' });
const ids = (body: string) => {
  const content = messageContent(body);
  if (content.kind !== 'events') throw new Error(content.reason);
  return content.events.map((e) => [e.path, e.event.id]);
};

describe('messageContent', () => {
  it('reads one event, an array, and a list page', () => {
    expect(ids(JSON.stringify(event('a')))).toEqual([['', 'a']]);
    expect(ids(JSON.stringify([event('a'), event('b')]))).toEqual([
      ['[0]', 'a'],
      ['[1]', 'b'],
    ]);
    expect(ids(JSON.stringify({ object: 'list', data: [event('p')], has_more: false }))).toEqual([['data[0]', 'p']]);
  });

  it('unwraps SNS notifications and EventBridge envelopes, also nested', () => {
    const sns = (inner: unknown) =>
      JSON.stringify({ Type: 'Notification', MessageId: 'm', Message: JSON.stringify(inner) });
    const eventBridge = (detail: unknown) => ({ version: '0', 'detail-type': 'x', source: 's', detail });
    expect(ids(sns([event('s1'), event('s2')]))).toEqual([
      ['Message[0]', 's1'],
      ['Message[1]', 's2'],
    ]);
    expect(ids(JSON.stringify(eventBridge(event('e1'))))).toEqual([['detail', 'e1']]);
    expect(ids(sns(eventBridge({ object: 'list', data: [event('n1')] })))).toEqual([['Message.detail.data[0]', 'n1']]);
  });

  it('keeps the good events of a partly bad body and reports the bad ones with their path', () => {
    const content = messageContent(JSON.stringify([event('a'), { id: 'x' }, 3]));
    expect(content).toEqual({
      kind: 'events',
      events: [{ path: '[0]', event: event('a') }],
      problems: [
        { path: '[1]', reason: 'missing required field "type"' },
        { path: '[2]', reason: 'expected an audit event object, got number' },
      ],
      rejected: [{ id: 'x' }, 3],
    });
  });

  it('hands back the rejected items of a list page inside an envelope, for a dead letter that holds only them', () => {
    const page = { object: 'list', data: [event('a'), { id: 'bad' }, event('b'), null] };
    const content = messageContent(JSON.stringify({ Type: 'Notification', Message: JSON.stringify(page) }));
    expect(content).toMatchObject({ kind: 'events', rejected: [{ id: 'bad' }, null] });
    expect(content.kind === 'events' && content.problems.map((p) => p.path)).toEqual([
      'Message.data[1]',
      'Message.data[3]',
    ]);
  });

  it.each([
    ['not json', /^body is not JSON: syntax error at line 1, column 1$/],
    ['', /^body is not JSON: empty$/],
    ['{"a": 1,\n "b": }', /^body is not JSON: syntax error at line 2, column 7$/],
    ['{"a": 1', /^body is not JSON: unexpected end of input$/],
    ['42', /^no audit event in the body: expected an audit event object, got number$/],
    ['{"hello":"world"}', /^no audit event in the body: missing required field "type"$/],
    ['[{"id":"a"},{"id":"b"}]', /^no audit event in the body: \[0\]: missing required field "type" \(and 1 more\)$/],
    [
      '{"Type":"Notification","Message":"{not json"}',
      /^SNS envelope: "Message" is not JSON: syntax error at line 1, column 2$/,
    ],
    ['{"Type":"Notification","Message":{"id":"a"}}', /^SNS envelope: "Message" must be a string, got object$/],
  ])('calls %j malformed', (body, reason) => {
    const content = messageContent(body);
    expect(content.kind).toBe('malformed');
    expect(content.kind === 'malformed' && content.reason).toMatch(reason);
  });

  it('never quotes the body in its reasons (a malformed message may hold a secret)', () => {
    const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
    for (const body of [
      secret,
      `{"key": ${secret}}`,
      JSON.stringify({ Type: 'Notification', Message: `${secret}}` }),
    ]) {
      const content = messageContent(body);
      expect(content.kind === 'malformed' && content.reason).not.toContain('sk-');
    }
  });

  it('treats an empty array or page as nothing to do, not as malformed', () => {
    expect(messageContent('[]')).toEqual({ kind: 'events', events: [], problems: [], rejected: [] });
    expect(messageContent('{"object":"list","data":[]}')).toEqual({
      kind: 'events',
      events: [],
      problems: [],
      rejected: [],
    });
  });
});
