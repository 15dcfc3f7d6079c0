// The events of a webhook body and its rejected items: listed in input order up to a limit,
// counted in all, whatever the shape (JSON Lines, an array, a list page).
import { describe, expect, it } from 'vitest';
import { bodyEvents } from '../../../../lib/ingestion/webhook/body.ts';
import { RejectedItems } from '../../../../lib/ingestion/webhook/rejected-items.ts';

const event = (id: string) => JSON.stringify({ id, type: 'login.succeeded' });
const NOT_AN_OBJECT = 'expected an audit event object, got number';

describe('bodyEvents', () => {
  it('lists the first 100 of 2.4 million rejected lines, in input order, and counts them all', () => {
    const text = `${event('e1')}\n${'1\n'.repeat(1_200_000)}{broken\n${'1\n'.repeat(1_199_999)}${event('e2')}\n`;
    const { events, rejected } = bodyEvents(text);
    expect(events.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(rejected.count).toBe(2_400_000);
    expect(rejected.listed).toEqual(
      Array.from({ length: 100 }, (_, i) => ({ item: `line ${i + 2}`, reason: NOT_AN_OBJECT })),
    );
  });

  it('lists where each rejected item was in an array, a list page and JSON Lines of these', () => {
    const text = `[${event('a')},{"id":"x"},7]\n{"object":"list","data":[{"type":"t"},${event('b')}]}\nnope\n`;
    const { events, rejected } = bodyEvents(text, 3);
    expect(events.map((e) => e.id)).toEqual(['a', 'b']);
    expect(rejected.listed).toEqual([
      { item: 'line 1: [1]', reason: 'missing required field "type"' },
      { item: 'line 1: [2]', reason: NOT_AN_OBJECT },
      { item: 'line 2: data[0]', reason: 'missing required field "id"' },
    ]);
    expect(rejected.count).toBe(4);
  });

  it('counts the elements of one large array past the limit too', () => {
    const { events, rejected } = bodyEvents(`[${Array<string>(500_000).fill('1').join(',')},${event('last')}]`, 2);
    expect(events.map((e) => e.id)).toEqual(['last']);
    expect([rejected.listed, rejected.count]).toEqual([
      [
        { item: '[0]', reason: NOT_AN_OBJECT },
        { item: '[1]', reason: NOT_AN_OBJECT },
      ],
      500_000,
    ]);
  });

  it('reports a document of which no line is JSON once, where it breaks', () => {
    const { events, rejected } = bodyEvents('{\n  "id": "a",\n  "type": ]\n}\n');
    expect(events).toEqual([]);
    expect(rejected.count).toBe(1);
    expect(rejected.listed).toEqual([
      { item: 'line 3', reason: expect.stringMatching(/^not valid JSON: .*\(column 11\)$/) as string },
    ]);
  });
});

describe('RejectedItems', () => {
  it('describes only the items it lists', () => {
    const rejected = new RejectedItems(1);
    const described: string[] = [];
    for (const item of ['a', 'b', 'c']) rejected.add(() => (described.push(item), { item, reason: 'r' }));
    expect([described, rejected.listed, rejected.count]).toEqual([['a'], [{ item: 'a', reason: 'r' }], 3]);
  });
});
