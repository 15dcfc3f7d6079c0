import { describe, expect, it } from 'vitest';
import {
  LAST_SEEN_REFRESH_SECONDS,
  MAX_VALUES_PER_DIMENSION,
  observeBaseline,
  valueKey,
  type BaselineShape,
  type BaselineState,
  type BaselineValue,
} from '../../../../lib/detection/engine/baseline.ts';

const DAY = 24 * 3600;
const rule: BaselineShape = { id: 'B', forgetAfterDays: 30, learningDays: 7, newForMinutes: 0 };
const country = (value: string): BaselineValue => ({ dimension: 'country', value });
const asn = (value: string): BaselineValue => ({ dimension: 'asn', value });

/** The state after sightings in order, each `[eventId, day, values]`. */
function after(
  sightings: ReadonlyArray<readonly [string, number, readonly BaselineValue[]]>,
): BaselineState | undefined {
  let state: BaselineState | undefined;
  for (const [eventId, day, values] of sightings)
    state = observeBaseline(rule, state, { eventId, time: day * DAY, values }).state;
  return state;
}

function known(state: BaselineState | undefined): string[] {
  return [...(state?.values.values() ?? [])]
    .map((v) => `${v.dimension}=${v.value}@${v.first / DAY}-${v.last / DAY} by ${v.by}`)
    .sort();
}

describe('observeBaseline', () => {
  it("learns from an actor's first event without alerting, and writes it", () => {
    const first = observeBaseline(rule, undefined, { eventId: 'e1', time: 0, values: [country('US'), asn('1')] });
    expect(first).toMatchObject({ changed: true, learning: true, newValues: [country('US'), asn('1')] });
    expect(first.state.firstSeen).toBe(0);
    expect(known(first.state)).toEqual(['asn=1@0-0 by e1', 'country=US@0-0 by e1']);
  });

  it('finds a value new once the learning period is over, and only the new one', () => {
    const state = after([['e1', 0, [country('US'), asn('1')]]]);
    const seen = observeBaseline(rule, state, { eventId: 'e2', time: 10 * DAY, values: [country('FR'), asn('1')] });
    expect(seen).toMatchObject({ changed: true, learning: false, newValues: [country('FR')] });
    expect(known(seen.state)).toEqual(['asn=1@0-10 by e1', 'country=FR@10-10 by e2', 'country=US@0-0 by e1']);
  });

  it('is still learning until learningDays after the first sighting, in event time', () => {
    const state = after([['e1', 0, [country('US')]]]);
    const early = observeBaseline(rule, state, { eventId: 'e2', time: 7 * DAY - 1, values: [country('FR')] });
    expect(early).toMatchObject({ learning: true, newValues: [country('FR')] });
    const late = observeBaseline(rule, state, { eventId: 'e2', time: 7 * DAY, values: [country('FR')] });
    expect(late).toMatchObject({ learning: false, newValues: [country('FR')] });
  });

  it('writes nothing for a known value seen within a day, and refreshes its last sighting once a day', () => {
    const state = after([['e1', 0, [country('US')]]]);
    const soon = observeBaseline(rule, state, {
      eventId: 'e2',
      time: LAST_SEEN_REFRESH_SECONDS - 1,
      values: [country('US')],
    });
    expect(soon).toMatchObject({ changed: false, newValues: [] });
    expect(soon.state).toBe(state);
    const nextDay = observeBaseline(rule, state, {
      eventId: 'e3',
      time: LAST_SEEN_REFRESH_SECONDS,
      values: [country('US')],
    });
    expect(nextDay).toMatchObject({ changed: true, newValues: [] });
    expect(known(nextDay.state)).toEqual(['country=US@0-1 by e1']);
  });

  it('finds a value new again once it was not seen for forgetAfterDays, and drops what is forgotten', () => {
    const state = after([
      ['e1', 0, [country('US'), asn('1')]],
      ['e2', 5, [asn('1')]],
    ]);
    const back = observeBaseline(rule, state, { eventId: 'e3', time: 30 * DAY, values: [country('US')] });
    expect(back).toMatchObject({ newValues: [] });
    const gone = observeBaseline(rule, state, { eventId: 'e3', time: 31 * DAY, values: [country('US')] });
    expect(gone).toMatchObject({ changed: true, newValues: [country('US')] });
    expect(known(gone.state)).toEqual(['asn=1@0-5 by e1', 'country=US@31-31 by e3']);
    const later = observeBaseline(rule, gone.state, { eventId: 'e4', time: 36 * DAY, values: [country('US')] });
    expect(known(later.state)).toEqual(['country=US@31-36 by e3']);
  });

  it('finds again what a redelivered event introduced, whenever it comes back, and changes nothing', () => {
    const state = after([
      ['e1', 0, [country('US')]],
      ['e2', 10, [country('FR')]],
      ['e3', 11, [country('FR')]],
    ]);
    const again = observeBaseline(rule, state, { eventId: 'e2', time: 10 * DAY, values: [country('FR')] });
    expect(again).toMatchObject({ changed: false, learning: false, newValues: [country('FR')] });
    const other = observeBaseline(rule, state, { eventId: 'e3', time: 11 * DAY, values: [country('FR')] });
    expect(other.newValues).toEqual([]);
  });

  it('never takes an event without an id for the one that introduced a value', () => {
    const state = after([['', 0, [country('US')]]]);
    expect(observeBaseline(rule, state, { eventId: '', time: DAY, values: [country('US')] }).newValues).toEqual([]);
  });

  it('moves firstSeen and a value’s first sighting back for a late event, never forward', () => {
    const state = after([['e1', 10, [country('US')]]]);
    const late = observeBaseline(rule, state, { eventId: 'e0', time: 2 * DAY, values: [country('US')] });
    expect(late.changed).toBe(true);
    expect(late.state.firstSeen).toBe(2 * DAY);
    expect(known(late.state)).toEqual(['country=US@2-10 by e1']);
    const later = observeBaseline(rule, late.state, { eventId: 'e5', time: 20 * DAY, values: [] });
    expect(later.state.firstSeen).toBe(2 * DAY);
  });

  it('keeps the most recently seen values of a dimension past its limit, the same ones on every consumer', () => {
    let state = after([['e0', 0, [asn('1')]]]);
    for (let i = 0; i < MAX_VALUES_PER_DIMENSION + 5; i++)
      state = observeBaseline(rule, state, { eventId: `c${i}`, time: DAY + i, values: [country(`C${i}`)] }).state;
    const countries = [...(state?.values.values() ?? [])].filter((v) => v.dimension === 'country');
    expect(countries).toHaveLength(MAX_VALUES_PER_DIMENSION);
    expect(countries.map((v) => v.value)).not.toContain('C4');
    expect(countries.map((v) => v.value)).toContain('C5');
    expect(state?.values.has(valueKey(asn('1')))).toBe(true);
  });
});

describe('observeBaseline with newForMinutes', () => {
  const recent: BaselineShape = { ...rule, newForMinutes: 60 };

  it('finds new a value another event introduced within newForMinutes before, and not after', () => {
    let state = observeBaseline(recent, undefined, { eventId: 'e0', time: 0, values: [country('US')] }).state;
    state = observeBaseline(recent, state, { eventId: 'login', time: 10 * DAY, values: [country('FR')] }).state;
    const key = observeBaseline(recent, state, { eventId: 'key', time: 10 * DAY + 3600, values: [country('FR')] });
    expect(key).toMatchObject({ changed: false, learning: false, newValues: [country('FR')] });
    const later = observeBaseline(recent, state, { eventId: 'key', time: 10 * DAY + 3601, values: [country('FR')] });
    expect(later.newValues).toEqual([]);
    // A late event, earlier than the login in event time, was the first to show it: new, and the first sighting moves back.
    const before = observeBaseline(recent, state, { eventId: 'early', time: 10 * DAY - 1, values: [country('FR')] });
    expect(before).toMatchObject({ changed: true, newValues: [country('FR')] });
    expect(known(before.state)).toContain('country=FR@9.999988425925926-10 by login');
    expect(
      observeBaseline(rule, state, { eventId: 'key', time: 10 * DAY + 1, values: [country('FR')] }).newValues,
    ).toEqual([]);
  });
});

describe('observeBaseline, edges', () => {
  it("finds new again, for the introducing event's redelivery, a value a late event showed earlier", () => {
    let state = observeBaseline(rule, undefined, { eventId: 'e0', time: 0, values: [country('US')] }).state;
    state = observeBaseline(rule, state, { eventId: 'x', time: 10 * DAY, values: [country('FR')] }).state;
    state = observeBaseline(rule, state, { eventId: 'late', time: 9 * DAY, values: [country('FR')] }).state;
    expect(known(state)).toContain('country=FR@9-10 by x');
    const again = observeBaseline(rule, state, { eventId: 'x', time: 10 * DAY, values: [country('FR')] });
    expect(again).toMatchObject({ changed: false, newValues: [country('FR')] });
  });

  it('writes nothing for another event of the same second as the one that introduced a value', () => {
    let state = observeBaseline(rule, undefined, { eventId: 'e0', time: 0, values: [country('US')] }).state;
    state = observeBaseline(rule, state, { eventId: 'a', time: 10 * DAY, values: [country('FR')] }).state;
    const same = observeBaseline(rule, state, { eventId: 'b', time: 10 * DAY, values: [country('FR')] });
    expect(same).toMatchObject({ changed: false, newValues: [country('FR')] });
    expect(same.state).toBe(state);
  });

  it("learns from an actor's first event even without a learning period", () => {
    const eager: BaselineShape = { ...rule, learningDays: 0 };
    const first = observeBaseline(eager, undefined, { eventId: 'e1', time: 0, values: [country('US')] });
    expect(first.learning).toBe(true);
    expect(observeBaseline(eager, first.state, { eventId: 'e2', time: 1, values: [country('FR')] }).learning).toBe(
      false,
    );
  });

  it('keeps a value last seen exactly forgetAfterDays before the newest, and drops one a second older', () => {
    let state = observeBaseline(rule, undefined, { eventId: 'a', time: 0, values: [country('US')] }).state;
    state = observeBaseline(rule, state, { eventId: 'b', time: 1, values: [asn('1')] }).state;
    const kept = observeBaseline(rule, state, { eventId: 'c', time: 30 * DAY + 1, values: [country('FR')] });
    expect(known(kept.state).map((v) => v.split('@')[0])).toEqual(['asn=1', 'country=FR']);
    const both = observeBaseline(rule, state, { eventId: 'c', time: 30 * DAY, values: [country('FR')] });
    expect(known(both.state).map((v) => v.split('@')[0])).toEqual(['asn=1', 'country=FR', 'country=US']);
  });

  it('breaks ties of last sighting by value past the limit, so every consumer keeps the same values', () => {
    let state: BaselineState | undefined;
    const names = Array.from({ length: MAX_VALUES_PER_DIMENSION + 2 }, (_, i) => `C${String(i).padStart(2, '0')}`);
    // All seen at the same second, in reverse order: the two greatest names are dropped.
    for (const name of [...names].reverse())
      state = observeBaseline(rule, state, { eventId: name, time: 0, values: [country(name)] }).state;
    const kept = [...(state?.values.values() ?? [])].map((v) => v.value).sort();
    expect(kept).toEqual(names.slice(0, MAX_VALUES_PER_DIMENSION));
  });
});

describe('observeBaseline of a rule that alerts on raised values', () => {
  const raising: BaselineShape = { id: 'R', forgetAfterDays: 30, learningDays: 0, newForMinutes: 0, raisedBy: 10 };
  const rpm = (value: string): BaselineValue => ({ dimension: 'rpm', value });
  const tpm = (value: string): BaselineValue => ({ dimension: 'tpm', value });
  /** Each sighting `[eventId, minute, values]` in order: what each found raised, and the state after. */
  function raised(sightings: ReadonlyArray<readonly [string, number, readonly BaselineValue[]]>, from?: BaselineState) {
    let state = from;
    const found: string[][] = [];
    for (const [eventId, minute, values] of sightings) {
      const observed = observeBaseline(raising, state, { eventId, time: minute * 60, values });
      state = observed.state;
      found.push(observed.newValues.map((v) => `${v.dimension} ${v.previous ?? '-'}>${v.value}`));
    }
    return { found, state };
  }

  it('finds a value at least the factor times the one its dimension showed last, with the value it was raised from', () => {
    expect(
      raised([
        ['e1', 0, [rpm('100'), tpm('50')]],
        ['e2', 1, [rpm('999')]],
        ['e3', 2, [rpm('9990'), tpm('500')]],
      ]).found,
    ).toEqual([[], [], ['rpm 999>9990', 'tpm 50>500']]);
  });

  it('finds the same raise when the event that made it is delivered again, and writes nothing new then', () => {
    const { state } = raised([
      ['e1', 0, [rpm('100')]],
      ['e2', 1, [rpm('1000')]],
    ]);
    const again = observeBaseline(raising, state, { eventId: 'e2', time: 60, values: [rpm('1000')] });
    expect(again.newValues).toEqual([{ dimension: 'rpm', value: '1000', previous: '100' }]);
    expect(again.changed).toBe(false);
  });

  it('keeps the last sighting of a value seen again exact, however soon, and never moves it back', () => {
    const { state } = raised([
      ['e1', 0, [rpm('1000')]],
      ['e2', 1, [rpm('200')]],
      ['e3', 2, [rpm('1000')]],
      ['late', 1, [rpm('1000')]],
    ]);
    expect(state?.values.get(valueKey(rpm('1000')))).toEqual({ ...rpm('1000'), first: 0, last: 120, by: 'e1' });
    expect(state?.values.get(valueKey(rpm('200')))).toEqual({ ...rpm('200'), first: 60, last: 60, by: 'e2' });
  });

  it('judges a late event against the value seen most recently before it, and finds nothing without one', () => {
    const { state } = raised([
      ['e1', 0, [rpm('100')]],
      ['e3', 10, [rpm('5000')]],
    ]);
    expect(observeBaseline(raising, state, { eventId: 'late', time: 5 * 60, values: [rpm('1000')] }).newValues).toEqual(
      [{ dimension: 'rpm', value: '1000', previous: '100' }],
    );
    expect(observeBaseline(raising, state, { eventId: 'older', time: 0, values: [rpm('1000')] }).newValues).toEqual([]);
  });

  it('never finds a raise from or to what is not a number, or from zero; finds one to a number however large', () => {
    expect(
      raised([
        ['e1', 0, [rpm('abc'), tpm('0')]],
        ['e2', 1, [rpm('1000'), tpm('1000')]],
        ['e3', 2, [rpm('-5'), tpm('1,000,000')]],
      ]).found,
    ).toEqual([[], [], []]);
    expect(
      raised([
        ['e1', 0, [rpm('100000')]],
        ['e2', 1, [rpm('1e+21')]],
        ['e3', 2, [tpm('5')]],
        ['e4', 3, [tpm('99999999999999999999999')]],
      ]).found,
    ).toEqual([[], ['rpm 100000>1e+21'], [], ['tpm 5>99999999999999999999999']]);
    // Decimals and exponents without a sign are numbers; hexadecimal is not.
    expect(
      raised([
        ['e1', 0, [rpm('0.25'), tpm('1')]],
        ['e2', 1, [rpm('2.5'), tpm('0x10')]],
        ['e3', 2, [rpm('1e21')]],
      ]).found,
    ).toEqual([[], ['rpm 0.25>2.5'], ['rpm 2.5>1e21']]);
  });

  it('forgets a value not seen for forgetAfterDays: seen again, it is learned anew and raises nothing', () => {
    const { state, found } = raised([
      ['e1', 0, [rpm('100')]],
      ['e2', 31 * 24 * 60, [rpm('5000')]],
    ]);
    expect(found).toEqual([[], []]);
    expect(state?.values.get(valueKey(rpm('5000')))).toEqual({
      ...rpm('5000'),
      first: 31 * DAY,
      last: 31 * DAY,
      by: 'e2',
    });
    expect(state?.values.has(valueKey(rpm('100')))).toBe(false);
  });
});
