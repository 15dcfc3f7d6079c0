import { describe, expect, it } from 'vitest';
import { letterContent } from '../../../lib/shared/letter-content.ts';

const RECEIVED = '{"as":"received"}';
const NOTE = 'kept as received: the data that failed cannot be written as JSON';

describe('letterContent', () => {
  it('keeps data that JSON can write as its JSON, with the reason as given', () => {
    expect(letterContent([{ id: 'e1', type: 't', s: '\ud800' }], RECEIVED, 'why')).toEqual({
      body: '[{"id":"e1","type":"t","s":"\\ud800"}]',
      reason: 'why',
    });
  });

  it('keeps the body as received when the data is nested too deep to write, and says so first', () => {
    const deep: unknown = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    expect(letterContent([deep], RECEIVED, 'why')).toEqual({
      body: RECEIVED,
      reason: `${NOTE} (nested too deep); why`,
    });
  });

  it('keeps the body as received for anything else JSON refuses, with the error masked and escaped', () => {
    expect(letterContent({ n: 1n }, RECEIVED, 'why')).toEqual({
      body: RECEIVED,
      reason: `${NOTE} (TypeError: Do not know how to serialize a BigInt); why`,
    });
    const hostile = {
      toJSON: () => {
        throw new Error('sk-proj-0123456789abcdefghij\u202e');
      },
    };
    expect(letterContent(hostile, RECEIVED, 'why')).toEqual({
      body: RECEIVED,
      reason: `${NOTE} (Error: sk-proj-…ghij\\u202e); why`,
    });
  });

  it('keeps the body as received when the data has no JSON form at all', () => {
    expect(letterContent(undefined, RECEIVED, 'why')).toEqual({
      body: RECEIVED,
      reason: `${NOTE} (it has no JSON form); why`,
    });
  });
});
