/** One value of one dimension an event shows for its actor (e.g. `country` `FR`). */
export interface BaselineValue {
  readonly dimension: string;
  readonly value: string;
  /** For a rule that alerts on raised values (`raisedBy`): the value it was raised from. */
  readonly previous?: string;
}

/** A value a baseline knows for an actor: when it was first and last seen (event time), and the event that introduced it. */
export interface KnownValue extends BaselineValue {
  /** Unix seconds. */
  readonly first: number;
  /** Unix seconds; refreshed at most once per {@link LAST_SEEN_REFRESH_SECONDS}. */
  readonly last: number;
  /** Id of the event that introduced it: that event, redelivered, still finds it new. */
  readonly by: string;
}

/** What a baseline remembers of one actor. */
export interface BaselineState {
  /** When the actor was first seen (event time, unix seconds): the learning period runs from here. */
  readonly firstSeen: number;
  /** Known values, by {@link valueKey}. */
  readonly values: ReadonlyMap<string, KnownValue>;
}

/** What keeping a baseline needs of its rule. */
export interface BaselineShape {
  readonly id: string;
  /** A value not seen for this long is forgotten: seen again, it is new. */
  readonly forgetAfterDays: number;
  /** No alert while the actor was first seen less than this long ago. */
  readonly learningDays: number;
  /**
   * A value another event introduced at most this long before still counts as new (0: only the
   * event that introduces a value finds it new): a login from a new country, then a key created
   * from there within the hour, finds the country new at the key.
   */
  readonly newForMinutes: number;
  /**
   * Set: the rule finds a value "new" when it is a number at least this many times the value of its
   * dimension seen most recently before it (a rate limit raised tenfold), not when it is unknown;
   * each value's last sighting is then kept exact.
   */
  readonly raisedBy?: number;
}

/** Default of a baseline rule's `forgetAfterDays`. */
export const DEFAULT_FORGET_AFTER_DAYS = 30;

/** Default of a baseline rule's `newForMinutes`. */
export const DEFAULT_NEW_FOR_MINUTES = 0;

/** Default of a baseline rule's `learningDays`. */
export const DEFAULT_LEARNING_DAYS = 7;

/** A known value's last-seen time is moved forward at most this often: a value seen every minute costs one write a day. */
export const LAST_SEEN_REFRESH_SECONDS = 24 * 3600;

/**
 * Most values kept per dimension for one actor. Past it, the value seen least recently is dropped
 * (seen again, it counts as new): an actor's state stays a few kilobytes whatever it does.
 */
export const MAX_VALUES_PER_DIMENSION = 50;

const DAY_SECONDS = 24 * 3600;

/**
 * How long a rule remembers a value not seen again, in seconds (`forgetAfterDays`): also how long
 * an actor's whole baseline is kept after its last sighting.
 *
 * @example
 * ```ts
 * forgetAfterSeconds({ id: 'R', forgetAfterDays: 30, learningDays: 7, newForMinutes: 0 }); // 2592000
 * ```
 */
export function forgetAfterSeconds(rule: BaselineShape): number {
  return rule.forgetAfterDays * DAY_SECONDS;
}

/**
 * When an actor was last seen: the latest last sighting of its values, or its first sighting.
 *
 * @example
 * ```ts
 * lastSighting(state) + forgetAfterSeconds(rule); // when the whole baseline may be forgotten
 * ```
 */
export function lastSighting(state: BaselineState): number {
  let last = state.firstSeen;
  for (const known of state.values.values()) last = Math.max(last, known.last);
  return last;
}

/**
 * The key of a value in {@link BaselineState.values}.
 *
 * @example
 * ```ts
 * valueKey({ dimension: 'country', value: 'FR' }); // 'country\u0000FR'
 * ```
 */
export function valueKey(value: BaselineValue): string {
  return `${value.dimension}\u0000${value.value}`;
}

/** One event as a baseline sees it: its id, time, and the values it shows for its actor. */
export interface BaselineSighting {
  readonly eventId: string;
  /** Unix seconds. */
  readonly time: number;
  readonly values: readonly BaselineValue[];
}

/** What {@link observeBaseline} made of a sighting. */
export interface BaselineObserved {
  /** The state after the sighting (the one given when nothing changed). */
  readonly state: BaselineState;
  /** `false` when nothing needs writing: every value known, and seen within a day. */
  readonly changed: boolean;
  /** The sighting's values the actor was not known to have (or that this very event introduced). */
  readonly newValues: readonly BaselineValue[];
  /** Whether the actor is still being learned: its first event, or first seen less than `learningDays` ago. */
  readonly learning: boolean;
}

/**
 * Answers, for one event of an actor, which of its values are new for the actor, and learns them.
 * Pure and deterministic: a store applies it to the stored state and writes the result with one
 * conditional write, so concurrent consumers agree on what was new.
 *
 * - An actor's first event only learns (`learning`), as does every event while the actor was first
 *   seen less than `learningDays` before it (in event time; a late event can move `firstSeen`
 *   back, never forward).
 * - A value is new when the actor has no record of it, when its record was last seen more than
 *   `forgetAfterDays` before the event, when this same event introduced it (a redelivery finds
 *   what the first delivery found, so an alert lost in a crash is raised again), or when no other
 *   event showed it earlier than `newForMinutes` before this one, in event time (a late event that
 *   was in fact the first to show it is judged as it would have been on time).
 * - A known value's `last` moves forward at most once a day; records last seen more than
 *   `forgetAfterDays` before the newest are dropped, and each dimension keeps its
 *   {@link MAX_VALUES_PER_DIMENSION} most recently seen.
 *
 * @example
 * ```ts
 * const { state, newValues, learning } = observeBaseline(rule, stored, { eventId: 'e1', time, values: [{ dimension: 'country', value: 'FR' }] });
 * if (!learning && newValues.length > 0) alert(newValues);
 * ```
 */
export function observeBaseline(
  rule: BaselineShape,
  state: BaselineState | undefined,
  sighting: BaselineSighting,
): BaselineObserved {
  const { eventId, time } = sighting;
  const forgetSeconds = forgetAfterSeconds(rule);
  // Nothing is allocated for a sighting whose values are all known (most of them): the actor's
  // values are copied only when one changes.
  const stored = state?.values;
  let updates: Array<readonly [string, KnownValue]> | undefined;
  let newValues: BaselineValue[] | undefined;
  const firstSeen = state === undefined ? time : Math.min(state.firstSeen, time);
  for (const value of sighting.values) {
    const key = valueKey(value);
    const known = stored?.get(key);
    if (rule.raisedBy !== undefined) {
      const raised = raisedValue(stored, value, time, rule.raisedBy, forgetSeconds);
      if (raised !== undefined) (newValues ??= []).push(raised);
      if (known === undefined || time - known.last > forgetSeconds)
        (updates ??= []).push([
          key,
          { dimension: value.dimension, value: value.value, first: time, last: time, by: eventId },
        ]);
      else if (time > known.last) (updates ??= []).push([key, { ...known, last: time }]);
      continue;
    }
    if (known !== undefined && eventId !== '' && known.by === eventId) {
      (newValues ??= []).push(value);
      continue;
    }
    // First shown by another event no earlier than this one in event time (a late event), or at
    // most newForMinutes before it: still new at this event's time.
    if (known !== undefined && time - known.first <= rule.newForMinutes * 60) {
      (newValues ??= []).push(value);
      if (time < known.first) (updates ??= []).push([key, { ...known, first: time }]);
      continue;
    }
    if (known === undefined || time - known.last > forgetSeconds) {
      (newValues ??= []).push(value);
      const introduced = { dimension: value.dimension, value: value.value, first: time, last: time, by: eventId };
      (updates ??= []).push([key, introduced]);
      continue;
    }
    if (time - known.last >= LAST_SEEN_REFRESH_SECONDS) (updates ??= []).push([key, { ...known, last: time }]);
  }
  const learning = state === undefined || time - firstSeen < rule.learningDays * DAY_SECONDS;
  const found = newValues ?? NO_VALUES;
  if (state !== undefined && updates === undefined && firstSeen === state.firstSeen)
    return { state, changed: false, newValues: found, learning };
  const values = new Map(stored);
  for (const [key, known] of updates ?? []) values.set(key, known);
  return { state: { firstSeen, values: pruned(values, forgetSeconds) }, changed: true, newValues: found, learning };
}

const NO_VALUES: readonly BaselineValue[] = Object.freeze([]);

/**
 * A number of at least 0 as a dimension's value holds one (`5000`, `0.5`, or as a large JSON number
 * is written, `1e+21`); `undefined` for anything else (`-5`, `1,000`, `abc`).
 */
function numberOf(text: string): number | undefined {
  if (!/^\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * `value` with the value it was raised from, when it is at least `factor` times the value of its
 * dimension last seen before `time` and not forgotten then (in event time: the redelivery of the
 * event that raised it finds the same); `undefined` when it is not, or nothing was seen before it.
 */
function raisedValue(
  stored: ReadonlyMap<string, KnownValue> | undefined,
  value: BaselineValue,
  time: number,
  factor: number,
  forgetSeconds: number,
): BaselineValue | undefined {
  let before: KnownValue | undefined;
  for (const known of stored?.values() ?? []) {
    // A value forgotten (not seen for forgetAfterDays) is no longer the one seen last.
    if (known.dimension !== value.dimension || known.last >= time || time - known.last > forgetSeconds) continue;
    if (before === undefined || known.last > before.last) before = known;
  }
  const now = numberOf(value.value);
  const then = before === undefined ? undefined : numberOf(before.value);
  if (now === undefined || then === undefined || !(then > 0) || now < factor * then) return undefined;
  return { dimension: value.dimension, value: value.value, previous: before?.value };
}

/** Drops what is forgotten, and the least recently seen past {@link MAX_VALUES_PER_DIMENSION} per dimension. */
function pruned(values: Map<string, KnownValue>, forgetSeconds: number): ReadonlyMap<string, KnownValue> {
  let newest = Number.NEGATIVE_INFINITY;
  for (const known of values.values()) newest = Math.max(newest, known.last);
  const byDimension = new Map<string, KnownValue[]>();
  for (const [key, known] of values) {
    if (newest - known.last > forgetSeconds) values.delete(key);
    else {
      const kept = byDimension.get(known.dimension);
      if (kept === undefined) byDimension.set(known.dimension, [known]);
      else kept.push(known);
    }
  }
  for (const kept of byDimension.values()) {
    // Most recently seen first; ties by value, so every consumer keeps the same ones.
    kept.sort((a, b) => b.last - a.last || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    for (const dropped of kept.slice(MAX_VALUES_PER_DIMENSION)) values.delete(valueKey(dropped));
  }
  return values;
}

/**
 * Values a state holds, every dimension together: what bounds an in-memory baseline.
 *
 * @example
 * ```ts
 * baselineValueCount(state); // 3
 * ```
 */
export function baselineValueCount(state: BaselineState | undefined): number {
  return state?.values.size ?? 0;
}

/** What {@link observeSightings} made of an actor's sightings, in order. */
export interface SightingsObserved {
  /** The state after every sighting (`undefined` only for no sighting on no state). */
  readonly state: BaselineState | undefined;
  readonly changed: boolean;
  /** Per sighting, in the order given: what was new, and whether the actor was learning. */
  readonly observed: ReadonlyArray<Pick<BaselineObserved, 'newValues' | 'learning'>>;
}

/**
 * Observes an actor's sightings in the order given, each as {@link observeBaseline} would: what a
 * stream of them finds, one at a time. Pure, so a store can replay a batch's sightings onto a newer
 * state when another writer got there first.
 *
 * @example
 * ```ts
 * const { state, changed, observed } = observeSightings(rule, stored, sightings);
 * ```
 */
export function observeSightings(
  rule: BaselineShape,
  state: BaselineState | undefined,
  sightings: readonly BaselineSighting[],
): SightingsObserved {
  let current = state;
  let changed = false;
  const observed = sightings.map((sighting) => {
    const next = observeBaseline(rule, current, sighting);
    current = next.state;
    changed ||= next.changed;
    return { newValues: next.newValues, learning: next.learning };
  });
  return { state: current, changed, observed };
}
