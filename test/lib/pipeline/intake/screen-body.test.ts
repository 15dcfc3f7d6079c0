import { describe, expect, it, vi } from 'vitest';
import { screenBody } from '../../../../lib/pipeline/intake/screen-body.ts';

const wanted = (type: string) => type === 'login.failed' || type === 'api_key.created';

describe('screenBody', () => {
  it('rules out one bare event of a type no rule wants, with its id and type', () => {
    expect(
      screenBody(
        '{"id":"a","type":"project.updated","actor":{"type":"session"},"project.updated":{"x":[1,2]}}',
        wanted,
      ),
    ).toEqual({
      kind: 'unwanted',
      id: 'a',
      type: 'project.updated',
    });
    expect(screenBody(' \n{ "type" : "invite.sent" ,\t"id" : "b" } \r\n', wanted)).toEqual({
      kind: 'unwanted',
      id: 'b',
      type: 'invite.sent',
    });
  });

  it('reads keys and values with escapes as JSON.parse does', () => {
    expect(screenBody('{"i\\u0064":"\\u0061","ty\\u0070e":"user.upd\\u0061ted"}', wanted)).toEqual({
      kind: 'unwanted',
      id: 'a',
      type: 'user.updated',
    });
    expect(screenBody('{"id":"a","ty\\u0070e":"login.failed"}', wanted)).toEqual({ kind: 'parse' });
  });

  it('keeps the last of repeated members, as JSON.parse does', () => {
    expect(screenBody('{"id":"a","type":"login.failed","type":"user.updated"}', wanted)).toEqual({ kind: 'parse' });
    expect(screenBody('{"id":"a","type":"user.updated","type":"login.failed"}', wanted)).toEqual({ kind: 'parse' });
    expect(screenBody('{"id":"a","type":"user.updated","type":"invite.sent","id":"b"}', wanted)).toEqual({
      kind: 'unwanted',
      id: 'b',
      type: 'invite.sent',
    });
  });

  it('reads the rest of a plain body in one pass, nested values included; very deep ones take the usual path', () => {
    const nested = (depth: number) => `${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}`;
    expect(
      screenBody(
        `{"id":"a","type":"user.updated","x":${nested(10)},"y":[1,-2.5e3,true,false,null,"s",{}],"z":{ }}`,
        wanted,
      ),
    ).toEqual({ kind: 'unwanted', id: 'a', type: 'user.updated' });
    expect(screenBody(`{"id":"a","type":"user.updated","x":${nested(20)}}`, wanted)).toEqual({ kind: 'parse' });
    expect(screenBody('{"type":"user.updated","x":[1,],"id":"a"}', wanted)).toEqual({ kind: 'parse' });
  });

  it('reads bodies past ASCII, with raw whitespace between tokens, and longer than its buffer, as JSON.parse does', () => {
    expect(screenBody('{"id":"é","type":"user.updated","name":"Zoë ☃ \ud83d\ude00"}', wanted)).toEqual({
      kind: 'unwanted',
      id: 'é',
      type: 'user.updated',
    });
    expect(screenBody('{"name":"Zoë","id":"é-1","type":"usér.updated"}', wanted)).toEqual({
      kind: 'unwanted',
      id: 'é-1',
      type: 'usér.updated',
    });
    // A lone surrogate (JSON.parse keeps it; UTF-8 cannot) and U+FFFD itself, in the id.
    expect(screenBody('{"id":"\ud800x","type":"user.updated"}', wanted)).toEqual({
      kind: 'unwanted',
      id: '\ud800x',
      type: 'user.updated',
    });
    expect(screenBody('{"id":"\ufffd","type":"user.updated"}', wanted)).toEqual({
      kind: 'unwanted',
      id: '\ufffd',
      type: 'user.updated',
    });
    // A type that starts with U+FEFF is not the type without it.
    expect(screenBody('{"id":"a","type":"\ufefflogin.failed"}', wanted)).toEqual({
      kind: 'unwanted',
      id: 'a',
      type: '\ufefflogin.failed',
    });
    expect(screenBody('{"id":"a","type":"user.updated"}\u00a0', wanted)).toEqual({ kind: 'parse' });
    expect(screenBody('{\t"id" :\r\n"a",\n"type":\t"user.updated" }', wanted)).toEqual({
      kind: 'unwanted',
      id: 'a',
      type: 'user.updated',
    });
    const long = `{"id":"a","type":"user.updated","x":"${'y'.repeat(70_000)}"}`;
    expect(screenBody(long, wanted)).toEqual({ kind: 'unwanted', id: 'a', type: 'user.updated' });
    expect(screenBody(`{"id":"a","type":"login.failed","x":"${'y'.repeat(70_000)}"}`, wanted)).toEqual({
      kind: 'parse',
    });
  });

  it('compares the type with the types the screen lists, on its bytes, when it lists them', () => {
    const listed = Object.assign((type: string) => type === 'usér.créé' || type === 'login.failed', {
      wantedTypes: ['usér.créé', 'login.failed'],
    });
    expect(screenBody('{"id":"a","type":"usér.créé","x":1}', listed)).toEqual({ kind: 'parse' });
    expect(screenBody('{"id":"a","type":"login.failed"}', listed)).toEqual({ kind: 'parse' });
    for (const type of ['usér.cré', 'usér.créée', 'user.créé', 'login.faileD', 'login.faile\u00e9']) {
      expect(screenBody(JSON.stringify({ id: 'a', type, x: [1] }), listed)).toEqual({
        kind: 'unwanted',
        id: 'a',
        type,
      });
    }
    // The list, not the function, decides there (the catalog keeps the two the same).
    const listOnly = Object.assign(() => true, { wantedTypes: [] as string[] });
    expect(screenBody('{"id":"a","type":"login.failed"}', listOnly)).toEqual({
      kind: 'unwanted',
      id: 'a',
      type: 'login.failed',
    });
  });

  it('reads only the body it is given, whatever a longer body before it left in its buffer', () => {
    const longer = '{"id":"a","type":"user.updated","x":[1,2,3],"y":"done"}';
    expect(screenBody(longer, wanted)).toEqual({ kind: 'unwanted', id: 'a', type: 'user.updated' });
    // Each a prefix of the body before: complete there, cut short here.
    for (const cut of [
      '{"id":"a","type":"user.updated","x":[1,2,3],"y":"do',
      '{"id":"a","type":"user.updated","x":[1,2',
      '{"id":"a","type":"user.updated","x":[1,2,3],"y":',
      '{"id":"a","type":"user.updated","x":[1,2,3],"y":"done"',
    ]) {
      expect(screenBody(cut, wanted)).toEqual({ kind: 'parse' });
    }
    expect(screenBody('{"id":"a","type":"user.updated","t":true,"f":false,"n":null}', wanted)).toEqual({
      kind: 'unwanted',
      id: 'a',
      type: 'user.updated',
    });
    for (const cut of [
      '{"id":"a","type":"user.updated","t":tru',
      '{"id":"a","type":"user.updated","t":true,"f":fals',
      '{"id":"a","type":"user.updated","t":true,"f":false,"n":nul',
    ]) {
      expect(screenBody(cut, wanted)).toEqual({ kind: 'parse' });
    }
  });

  it('leaves envelopes to the usual path when it reads them as text (an escape in the body)', () => {
    // Each would be ruled out without its envelope key; with it, the event inside decides.
    for (const key of ['Type', 'detail', 'envelope', 'object']) {
      const body = `{"id":"a","type":"user.upd\\u0061ted",${JSON.stringify(key)}:{}}`;
      expect(screenBody(body, wanted)).toEqual({ kind: 'parse' });
      expect(screenBody(body.replace(`${JSON.stringify(key)}:{}`, '"other":{}'), wanted)).toEqual({
        kind: 'unwanted',
        id: 'a',
        type: 'user.updated',
      });
    }
  });

  it('reads as text a body of fewer characters than its buffer whose UTF-8 does not fit in it', () => {
    const wide = 'é'.repeat(40_000); // 40,000 characters, 80,000 bytes
    expect(screenBody(`{"id":"a","type":"user.updated","x":"${wide}"}`, wanted)).toEqual({
      kind: 'unwanted',
      id: 'a',
      type: 'user.updated',
    });
    expect(screenBody(`{"id":"a","type":"login.failed","x":"${wide}"}`, wanted)).toEqual({ kind: 'parse' });
  });

  it('finds no id or type in a body without one, whatever the body before it had', () => {
    const before = `{"x":"${'y'.repeat(200)}","id":"abc","type":"user.updated"}`;
    expect(screenBody(before, wanted)).toEqual({ kind: 'unwanted', id: 'abc', type: 'user.updated' });
    expect(screenBody('{"type":"user.updated","y":1}', wanted)).toEqual({ kind: 'parse' });
    expect(screenBody(before, wanted)).toEqual({ kind: 'unwanted', id: 'abc', type: 'user.updated' });
    expect(screenBody('{"id":"abc","y":1}', wanted)).toEqual({ kind: 'parse' });
  });

  it('keeps a lone surrogate in the type, as JSON.parse does', () => {
    expect(screenBody('{"id":"a","type":"\ud800user.updated"}', wanted)).toEqual({
      kind: 'unwanted',
      id: 'a',
      type: '\ud800user.updated',
    });
    const listed = Object.assign((type: string) => type === 'login.failed', { wantedTypes: ['login.failed'] });
    expect(screenBody('{"id":"a","type":"\ud800login.failed"}', listed)).toEqual({
      kind: 'unwanted',
      id: 'a',
      type: '\ud800login.failed',
    });
  });

  it('reads every body as text, with the same answers, where WebAssembly cannot run', async () => {
    const bodies = [
      '{"id":"a","type":"user.updated","x":[1,{"y":null}]}',
      '{"id":"a","type":"login.failed"}',
      '{"id":"é","type":"usér.updated"}',
      '{"id":"a","type":"user.updated","x":}',
      '{"id":"a","type":"user.updated","envelope":"x"}',
    ];
    const withBytes = bodies.map((body) => screenBody(body, wanted));
    expect(withBytes.map((screened) => screened.kind)).toEqual(['unwanted', 'parse', 'unwanted', 'parse', 'parse']);
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const textOnly = await import('../../../../lib/pipeline/intake/screen-body.ts');
      expect(bodies.map((body) => textOnly.screenBody(body, wanted))).toEqual(withBytes);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it.each([
    ['a type some rule wants', '{"id":"a","type":"login.failed"}'],
    ['malformed after the type', '{"id":"a","type":"user.updated","x":}'],
    ['a raw control character in a later string', '{"id":"a","type":"user.updated","x":"\u0001"}'],
    ['a raw line break in a string', '{"id":"a","type":"user.updated","x":"a\nb"}'],
    ['a raw control character in a string past ASCII', '{"id":"a","type":"user.updated","x":"é\u0000"}'],
    ['text after the object', '{"id":"a","type":"user.updated"} {}'],
    ['a byte order mark', '\ufeff{"id":"a","type":"user.updated"}'],
    ['no id', '{"type":"user.updated"}'],
    ['a blank id', '{"id":"  ","type":"user.updated"}'],
    ['a blank type', '{"id":"a","type":""}'],
    ['an id that is not a string', '{"id":7,"type":"user.updated"}'],
    ['an SNS notification', '{"Type":"Notification","id":"a","type":"user.updated","Message":"[]"}'],
    ['an EventBridge event', '{"id":"a","type":"user.updated","detail-type":"x","detail":{}}'],
    ['our envelope', '{"id":"a","type":"user.updated","envelope":"x","events":[]}'],
    ['a list page', '{"id":"a","type":"user.updated","object":"list","data":[]}'],
    ['an array', '[{"id":"a","type":"user.updated"}]'],
    ['not JSON', 'user.updated'],
    ['empty', ''],
  ])('leaves %s to the usual path', (_what, body) => {
    expect(screenBody(body, wanted)).toEqual({ kind: 'parse' });
  });
});
