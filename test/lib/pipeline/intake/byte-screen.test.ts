import { describe, expect, it, vi } from 'vitest';
import { ByteScreenStatus, MAX_SCREEN_DEPTH } from '../../../../lib/pipeline/intake/byte-screen-constants.ts';
import { byteScreenModule } from '../../../../lib/pipeline/intake/byte-screen-program.ts';
import { BYTE_SCREEN_WASM } from '../../../../lib/pipeline/intake/byte-screen-wasm.ts';
import { createByteScreen, type ByteScreen } from '../../../../lib/pipeline/intake/byte-screen.ts';

const screen = createByteScreen() as ByteScreen;

/** Every status of one body's runs (resumed after each type), and the slots at the end. */
function runs(body: string): { statuses: ByteScreenStatus[]; slots: number[] } {
  const { written } = new TextEncoder().encodeInto(body, screen.bytes);
  screen.bytes[written] = 0;
  const statuses = [screen.run(0, written)];
  while (statuses.at(-1) === ByteScreenStatus.Type) statuses.push(screen.run(screen.slots[3] ?? 0, written));
  return { statuses, slots: [...screen.slots] };
}

const { Parse, NotPlain, End, Type } = ByteScreenStatus;

describe('the byte screen', () => {
  it('is the module its program makes (run `npm run build:wasm` after changing the program)', () => {
    expect(Buffer.from(BYTE_SCREEN_WASM, 'base64')).toEqual(Buffer.from(byteScreenModule()));
  });

  it('stops at each top-level string type and ends a valid body with where the last id and type are', () => {
    const body = '{"id":"ab","type":"x.y","n":{"type":"z","id":"q"},"type":"u.v"}';
    const type = body.lastIndexOf('u.v');
    expect(runs(body)).toEqual({ statuses: [Type, Type, End], slots: [7, 9, type, type + 3] });
    // A later member of either name that is not a string leaves none.
    expect(runs('{"type":"a","id":"b","id":null}').slots.slice(0, 1)).toEqual([-1]);
    expect(runs('{"id":"b","type":"a","type":["c"]}')).toEqual({ statuses: [Type, End], slots: [7, 8, -1, 19] });
    const spaced = ' {"type"\t:\n"a" , "id" : "b" } \r\n';
    expect(runs(spaced)).toEqual({
      statuses: [Type, End],
      slots: [spaced.indexOf('b'), spaced.indexOf('b') + 1, spaced.indexOf('a'), spaced.indexOf('a') + 1],
    });
  });

  it('reads every kind of value, at every depth it follows', () => {
    const values = '[0,-0,1.5,-2e10,3E+2,4e-1,true,false,null,"s",[],{},[ ],{ },"é☃",{"k":[1,{"l":"m"}]}]';
    expect(runs(`{"x":${values}}`).statuses).toEqual([End]);
    // The event's object and the containers inside it, up to MAX_SCREEN_DEPTH open at once.
    const deep = (inside: number) => `{"y":${'[{"a":'.repeat(inside / 2)}1${'}]'.repeat(inside / 2)}}`;
    expect(runs(deep(MAX_SCREEN_DEPTH - 2)).statuses).toEqual([End]);
    expect(
      runs(`{"y":[${'[]'.repeat(3)}${'['.repeat(MAX_SCREEN_DEPTH - 2)}${']'.repeat(MAX_SCREEN_DEPTH - 2)}]}`).statuses,
    ).toEqual([Parse]);
    expect(runs(`{"y":[${'['.repeat(MAX_SCREEN_DEPTH - 3)}${']'.repeat(MAX_SCREEN_DEPTH - 3)}]}`).statuses).toEqual([
      End,
    ]);
  });

  it.each([
    ['an escape in a value', '{"a":"\\n"}', NotPlain],
    ['an escape in a key', '{"\\u0061":1}', NotPlain],
    ['a control character in a string', '{"a":"\u0001"}', Parse],
    ['a trailing comma', '{"a":[1,]}', Parse],
    ['an empty object', '{}', Parse],
    ['an array', '[1]', Parse],
    ['a number with a leading zero', '{"a":01}', Parse],
    ['a number without digits after its point', '{"a":1.}', Parse],
    ['a number without digits in its exponent', '{"a":1e+}', Parse],
    ['a plus sign', '{"a":+1}', Parse],
    ['a literal cut short', '{"a":tru}', Parse],
    ['a literal misspelt', '{"a":nul1}', Parse],
    ['a missing colon', '{"a" 1}', Parse],
    ['a key that is no string', '{a:1}', Parse],
    ['a mismatched bracket', '{"a":[1}', Parse],
    ['text after the object', '{"a":1}x', Parse],
    ['a 0 byte after the object', '{"a":1}\u0000', Parse],
    ['an unfinished body', '{"a":"b', Parse],
    ['an SNS notification', '{"Type":"Notification"}', Parse],
    ['an EventBridge event', '{"id":"a","detail":{}}', Parse],
    ['a list page', '{"object":"list"}', Parse],
    ['our envelope', '{"envelope":"x"}', Parse],
  ])('answers %s with its status', (_what, body, status) => {
    expect(runs(body).statuses.at(-1)).toBe(status);
  });

  it('tells envelope keys only at the top level, and only whole', () => {
    expect(runs('{"a":{"Type":1,"detail":2,"object":3,"envelope":4}}').statuses).toEqual([End]);
    for (const key of ['Typo', 'detai', 'details', 'objecT', 'envelopes', 'envelop', 'i', 'ids', 'types']) {
      expect(runs(`{${JSON.stringify(key)}:1}`).statuses).toEqual([End]);
    }
  });

  it('is absent where WebAssembly cannot run', () => {
    vi.stubGlobal('WebAssembly', undefined);
    try {
      expect(createByteScreen()).toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
