import { describe, expect, it } from 'vitest';
import { perEvent } from '../../../../lib/detection/engine/per-event.ts';

describe('perEvent', () => {
  it('decides once per event, and again for the next event', () => {
    const seen: string[] = [];
    const decision = perEvent((event: { id: string }) => {
      seen.push(event.id);
      return event.id.toUpperCase();
    });
    const a = { id: 'a' };
    const b = { id: 'b' };
    expect([decision(a), decision(a), decision(a), decision(b), decision(b), decision(a)]).toEqual([
      'A',
      'A',
      'A',
      'B',
      'B',
      'A',
    ]);
    expect(seen).toEqual(['a', 'b', 'a']);
  });

  it('never serves an answer for another event after a failure', () => {
    const decision = perEvent((event: { fail: boolean; id: string }) => {
      if (event.fail) throw new Error(`no decision for ${event.id}`);
      return event.id;
    });
    const good = { fail: false, id: 'good' };
    const bad = { fail: true, id: 'bad' };
    expect(decision(good)).toBe('good');
    expect(() => decision(bad)).toThrow('no decision for bad');
    expect(() => decision(bad)).toThrow('no decision for bad');
    expect(decision(good)).toBe('good');
  });
});
