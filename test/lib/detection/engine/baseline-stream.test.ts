import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import type { LogType } from '../../../../lib/detection/engine/log-type.ts';
import type { BaselineRule } from '../../../../lib/detection/engine/rule.ts';
import { StreamBounds } from '../../../../lib/detection/engine/stream-bounds.ts';
import { StreamEvaluator } from '../../../../lib/detection/engine/stream-evaluator.ts';
import { testBaselineRule, testCorrelationRule, testRule } from '../../../support/test-rule.ts';

interface Ev {
  readonly id: string;
  readonly type: string;
  readonly day: number;
  readonly who?: string;
  readonly country?: string;
  readonly asn?: string;
}

const DAY = 24 * 3600;

const logType: LogType<Ev> = {
  name: 'Test.Log',
  eventTypeOf: (raw) => (raw as Ev).type,
  normalize: (raw) => raw as Ev,
  identify: (event) => ({ eventId: event.id, eventType: event.type, eventTime: event.day * DAY }),
  subject: (event) => ({
    actorIds: event.who === undefined ? [] : [event.who],
    serviceAccountIds: [],
    emails: [],
    sourceIp: undefined,
  }),
};

function catalog(overrides: Partial<BaselineRule<Ev>> = {}, settings = {}): RuleCatalog {
  return new RuleCatalog(settings).register(logType, [
    testBaselineRule<Ev>('New.Country', {
      title: ({ actor, newValues }) => `${actor} from ${newValues.map((v) => v.value).join('+')}`,
      severity: ({ newValues }) => (newValues.length > 1 ? 'HIGH' : 'MEDIUM'),
      dedup: ({ actor, newValues }) => `${actor}:${newValues.map((v) => v.value).join('+')}`,
      alertContext: ({ values }) => ({ values: values.map((v) => `${v.dimension}=${v.value}`) }),
      ...overrides,
    }),
  ]);
}

const login = (id: string, day: number, country: string, who = 'alice'): Ev => ({
  id,
  type: 'login',
  day,
  who,
  country,
});
const create = (id: string, day: number, country: string, who = 'alice'): Ev => ({
  id,
  type: 'create',
  day,
  who,
  country,
});

/** Titles of the alerts of each event, in order. */
function alerts(stream: StreamEvaluator, events: readonly Ev[]): string[][] {
  return events.map((event) =>
    stream.push(event).alerts.map((alert) => `${alert.match.severity} ${alert.match.title}`),
  );
}

describe('StreamEvaluator with a baseline rule', () => {
  it('alerts on a trigger event from a value new for its actor once the actor is past learning, learning from every event', () => {
    const stream = new StreamEvaluator(catalog(), 'Test.Log');
    expect(
      alerts(stream, [
        login('e1', 0, 'US'),
        create('e2', 1, 'FR'), // still learning: learns FR
        login('e3', 8, 'DE'), // not a trigger: learns DE
        create('e4', 9, 'DE'), // known
        create('e5', 9, 'FR'), // known since day 1
        create('e6', 10, 'BR'), // new
        create('e7', 10, 'BR', 'bob'), // bob's first event: learns
      ]),
    ).toEqual([[], [], [], [], [], ['MEDIUM alice from BR'], []]);
  });

  it("builds the alert from the rule's functions on the novelty, and counts it in its dedup window", () => {
    const stream = new StreamEvaluator(
      catalog({ dimensions: { country: (e) => e.country, asn: (e) => e.asn } }),
      'Test.Log',
    );
    stream.push({ id: 'e1', type: 'login', day: 0, who: 'alice', country: 'US', asn: '1' });
    const step = stream.push({ id: 'e2', type: 'create', day: 10, who: 'alice', country: 'FR', asn: '2' });
    expect(step.alerts).toHaveLength(1);
    expect(step.alerts[0]).toMatchObject({
      eventCount: 1,
      match: {
        eventId: 'e2',
        eventType: 'create',
        severity: 'HIGH',
        title: 'alice from FR+2',
        dedup: 'alice:FR+2',
        alertContext: { values: ['country=FR', 'asn=2'] },
      },
    });
    expect(step.novelties).toBe(1);
    const repeat = stream.push({ id: 'e2', type: 'create', day: 10, who: 'alice', country: 'FR', asn: '2' });
    expect(repeat.alerts).toEqual([]);
    // The redelivered event finds its value new again; its window counts it once.
    expect(repeat.novelties).toBe(1);
    expect(repeat.deduplicated).toBe(0);
  });

  it('skips events without an actor or a value, and learns nothing from them', () => {
    const stream = new StreamEvaluator(catalog(), 'Test.Log');
    expect(
      alerts(stream, [
        login('e1', 0, 'US'),
        { id: 'e2', type: 'create', day: 10, country: 'FR' },
        { id: 'e3', type: 'create', day: 10, who: 'alice' },
        create('e4', 11, 'FR'),
      ]),
    ).toEqual([[], [], [], ['MEDIUM alice from FR']]);
  });

  it("applies match() to trigger events only, and the rules configuration's suppression, counting what it suppressed", () => {
    const matching = catalog({ match: (e) => e.id !== 'e2' });
    const stream = new StreamEvaluator(matching, 'Test.Log');
    expect(alerts(stream, [login('e1', 0, 'US'), create('e2', 10, 'FR'), create('e3', 11, 'FR')])).toEqual([
      [],
      [],
      [],
    ]);
    const suppressed = new StreamEvaluator(
      catalog({}, { 'New.Country': { suppress: { actorIds: ['alice'] } } }),
      'Test.Log',
    );
    suppressed.push(login('e1', 0, 'US'));
    const step = suppressed.push(create('e2', 10, 'FR'));
    expect(step.alerts).toEqual([]);
    expect(step.suppressed.map((s) => [s.match.title, s.reason])).toEqual([
      ['alice from FR', 'actor id alice is suppressed'],
    ]);
  });

  it('reports a failing actor or dimension function as a rule error, and goes on', () => {
    const failing = catalog({
      actor: (e) => {
        if (e.id === 'bad') throw new Error('no actor');
        return e.who;
      },
    });
    const stream = new StreamEvaluator(failing, 'Test.Log');
    const step = stream.push({ id: 'bad', type: 'create', day: 0, who: 'alice', country: 'US' });
    expect(step.errors.map((e) => [e.ruleId, e.function, e.message])).toEqual([
      ['New.Country', 'baseline', 'Error: no actor'],
    ]);
    expect(alerts(stream, [login('e1', 0, 'US'), create('e2', 10, 'FR')])).toEqual([[], ['MEDIUM alice from FR']]);
  });

  it('forgets actors seen least recently past --max-baseline-entries, and counts a sighting that may differ', () => {
    const bounds = new StreamBounds({ maxBaselineValues: 4 });
    const stream = new StreamEvaluator(catalog(), 'Test.Log', { memory: bounds });
    for (const [i, who] of ['a', 'b', 'c', 'd', 'e'].entries()) stream.push(login(`l${who}`, i, 'US', who));
    expect(bounds.stats).toMatchObject({ baselineActorsForgotten: 2, mayDiffer: 0 });
    // a was forgotten: its next event only learns, where the pipeline would have alerted.
    expect(alerts(stream, [create('x', 20, 'FR', 'a')])).toEqual([[]]);
    expect(bounds.stats.mayDiffer).toBe(1);
  });

  it('forgets an actor the deployed TTL would have forgotten, in event time', () => {
    const bounds = new StreamBounds({ windowTtlSeconds: DAY });
    const stream = new StreamEvaluator(catalog(), 'Test.Log', { memory: bounds });
    stream.push(login('a0', 0, 'US', 'a'));
    // State is swept every 65,536 events, up to the oldest event time read since the sweep before.
    for (let i = 0; i < 2 * 65_536; i++) stream.push(login(`z${i}`, 40, 'US', 'z'));
    expect(alerts(stream, [create('a1', 41, 'US', 'a')])).toEqual([[]]);
    expect(alerts(stream, [create('a2', 45, 'FR', 'a')])).toEqual([[]]); // learning again since day 41: 4 days
  });
});

describe('RuleCatalog with a baseline rule', () => {
  it('refuses a baseline without dimensions or trigger types, or with bad periods', () => {
    const register = (overrides: Partial<BaselineRule<Ev>>) => () =>
      new RuleCatalog().register(logType, [testBaselineRule<Ev>('B', overrides)]);
    expect(register({ dimensions: {} })).toThrow('rule B: needs at least one dimension');
    expect(register({ eventTypes: [] })).toThrow('rule B: needs at least one event type that may alert');
    expect(register({ forgetAfterDays: 0 })).toThrow('forgetAfterDays must be > 0');
    expect(register({ learningDays: -1 })).toThrow('learningDays must be >= 0');
    expect(register({ raisedBy: 1 })).toThrow('raisedBy must be > 1');
    expect(
      new RuleCatalog().register(logType, [testBaselineRule<Ev>('B', { raisedBy: 2 })]).baseline('B').raisedBy,
    ).toBe(2);
  });

  it('refuses a correlation step that names a baseline rule', () => {
    expect(() =>
      new RuleCatalog().register(logType, [
        testBaselineRule<Ev>('B'),
        testRule<Ev>('S', { createAlert: false }),
        testCorrelationRule<Ev>('C', (e) => e.who, {
          steps: [
            { id: 'new', ruleId: 'B', minMatchCount: 1 },
            { id: 'then', ruleId: 'S', minMatchCount: 1 },
          ],
        }),
      ]),
    ).toThrow(
      'rule C: step new names B, which is not a single-event rule, a signal or a correlation rule registered before it',
    );
  });

  it('shows every event to an enabled baseline, masked values at most 200 characters, and none to a disabled one', () => {
    const key = `sk-proj-${'a1'.repeat(20)}`;
    const seen = catalog().evaluate('Test.Log', {
      id: 'e1',
      type: 'other',
      day: 0,
      who: 'alice',
      country: ` ${key} ${'x'.repeat(300)} `,
    });
    expect(seen.observations).toHaveLength(1);
    expect(seen.observations[0]).toMatchObject({ actor: 'alice', candidate: false });
    const value = seen.observations[0]?.values[0]?.value ?? '';
    expect(value).toHaveLength(200);
    expect(value.startsWith('sk-proj-…a1a1 x')).toBe(true);
    const off = catalog({}, { 'New.Country': { enabled: false } }).evaluate('Test.Log', create('e1', 0, 'US'));
    expect(off.observations).toEqual([]);
  });
});
