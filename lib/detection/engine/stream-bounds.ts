import { lastSighting } from './baseline.ts';
import { LATE_ARRIVAL_SECONDS, newestRecordTime } from './correlation.ts';
import type { StreamMemory } from './stream-evaluator.ts';
import type { StreamState, StreamWindow } from './stream-state.ts';

/** Limits of a {@link StreamBounds}. */
export interface StreamLimits {
  /**
   * Forget state as the deployed tables' TTL does, in event time: a dedup window once every event of
   * the last 65,536 read is `windowTtlSeconds` past its end, a correlation's state for a key once
   * they are all 14 days past its newest record's lookback. On input in time order memory then
   * stays bounded by the TTL's span of events; an event that arrives later than that after its
   * window is counted afresh, as the pipeline counts it after the TTL.
   */
  readonly windowTtlSeconds?: number;
  /**
   * Most dedup windows kept, to bound memory whatever the input. Past it, the windows that ended
   * longest ago in event time are forgotten early, a quarter of them at a time; a match that then
   * opens a window ending no later than one forgotten is counted in {@link StreamBoundsStats.mayDiffer}.
   */
  readonly maxWindows?: number;
  /**
   * Most correlation records kept, every rule and key together. Past it, whole keys are forgotten,
   * those whose newest record is oldest first, until a quarter is free; a step that then starts a
   * key whose lookback reaches back to a forgotten key's newest record counts in `mayDiffer`.
   */
  readonly maxCorrelationRecords?: number;
  /**
   * Most baseline values kept, every rule and actor together. Past it, whole actors are forgotten,
   * those seen least recently first, until a quarter is free; an actor whose baseline then starts
   * within its `forgetAfterDays` of a forgotten actor's last sighting counts in `mayDiffer` (it may
   * be one of them, learning again what it had learned).
   */
  readonly maxBaselineValues?: number;
}

/** What a {@link StreamBounds} forgot before the TTL would have, and what that may have changed. */
export interface StreamBoundsStats {
  readonly windowsForgotten: number;
  readonly correlationKeysForgotten: number;
  readonly baselineActorsForgotten: number;
  /** Matches, correlation steps and baseline sightings whose outcome may differ from the pipeline's. */
  readonly mayDiffer: number;
}

/** Pushes between two sweeps of state past its TTL. */
const SWEEP_EVERY = 65_536;

/** The value at or below which every value but the `keep` largest lies (sorts `values`). */
function cut(values: Float64Array, keep: number): number {
  values.sort();
  return values[Math.max(0, values.length - keep - 1)] ?? Number.NEGATIVE_INFINITY;
}

/**
 * Keeps a stream evaluation's memory bounded whatever its input (`evaluate` reads inputs of any
 * size): state past the tables' TTL in event time is forgotten as the pipeline forgets it, and past
 * the limits the oldest state is forgotten early, counting what that may change.
 *
 * @example
 * ```ts
 * const bounds = new StreamBounds({ windowTtlSeconds: 15 * 86400, maxWindows: 50_000 });
 * const stream = new StreamEvaluator(catalog, 'OpenAI.Audit', { memory: bounds });
 * // ...
 * if (bounds.stats.mayDiffer > 0) warn();
 * ```
 */
export class StreamBounds implements StreamMemory {
  readonly #ttl: number | undefined;
  readonly #maxWindows: number;
  readonly #maxRecords: number;
  readonly #maxBaselineValues: number;
  /** The oldest event time read since the last sweep. */
  #oldestRecent = Number.POSITIVE_INFINITY;
  #pushes = 0;
  /** The latest end of a window forgotten early, and the newest record of a key forgotten early. */
  #forgottenWindowsEnd = Number.NEGATIVE_INFINITY;
  #forgottenRecordsNewest = Number.NEGATIVE_INFINITY;
  /** The latest last sighting of an actor forgotten early. */
  #forgottenActorsNewest = Number.NEGATIVE_INFINITY;
  #stats = { windowsForgotten: 0, correlationKeysForgotten: 0, baselineActorsForgotten: 0, mayDiffer: 0 };

  public constructor(limits: StreamLimits) {
    this.#ttl = limits.windowTtlSeconds;
    this.#maxWindows = limits.maxWindows ?? Number.POSITIVE_INFINITY;
    this.#maxRecords = limits.maxCorrelationRecords ?? Number.POSITIVE_INFINITY;
    this.#maxBaselineValues = limits.maxBaselineValues ?? Number.POSITIVE_INFINITY;
  }

  /** What was forgotten early, and what that may have changed. */
  public get stats(): StreamBoundsStats {
    return { ...this.#stats };
  }

  public beforePush(state: StreamState): void {
    if (this.#ttl !== undefined && ++this.#pushes % SWEEP_EVERY === 0) this.#forgetPastTtl(state, this.#ttl);
  }

  public timeRead(time: number): void {
    if (time < this.#oldestRecent) this.#oldestRecent = time;
  }

  public windowOpened(window: StreamWindow, state: StreamState): void {
    if (window.endsAt <= this.#forgottenWindowsEnd) this.#stats.mayDiffer++;
    if (state.windowCount > this.#maxWindows) this.#forgetOldestWindows(state);
  }

  public keyOpened(lookbackStart: number): void {
    if (lookbackStart <= this.#forgottenRecordsNewest) this.#stats.mayDiffer++;
  }

  public recordsAdded(state: StreamState): void {
    if (state.recordCount > this.#maxRecords) this.#forgetOldestKeys(state);
  }

  public actorOpened(forgetStart: number): void {
    if (forgetStart <= this.#forgottenActorsNewest) this.#stats.mayDiffer++;
  }

  public baselineChanged(state: StreamState): void {
    if (state.baselineValueCount > this.#maxBaselineValues) this.#forgetLeastRecentActors(state);
  }

  /** Drops what the tables' TTL would have dropped by the oldest event time read lately. */
  #forgetPastTtl(state: StreamState, ttl: number): void {
    const horizon = this.#oldestRecent;
    this.#oldestRecent = Number.POSITIVE_INFINITY;
    if (horizon === Number.POSITIVE_INFINITY) return;
    state.dropWindows((window) => window.endsAt + ttl < horizon);
    for (const [ruleId, byKey] of state.keys) {
      for (const [key, { state: records, lookbackSeconds }] of byKey) {
        if (newestRecordTime(records) + lookbackSeconds + LATE_ARRIVAL_SECONDS < horizon) state.dropKey(ruleId, key);
      }
    }
    for (const [ruleId, byActor] of state.baselines) {
      for (const [actor, { state: baseline, forgetAfterSeconds }] of byActor) {
        if (lastSighting(baseline) + forgetAfterSeconds < horizon) state.dropBaseline(ruleId, actor);
      }
    }
  }

  /** Forgets the actors seen least recently, until at most three quarters of the limit are kept. */
  #forgetLeastRecentActors(state: StreamState): void {
    const actors = [...state.baselines].flatMap(([ruleId, byActor]) =>
      [...byActor].map(([actor, { state: baseline }]) => ({ ruleId, actor, last: lastSighting(baseline) })),
    );
    actors.sort((a, b) => a.last - b.last);
    const keep = Math.floor((this.#maxBaselineValues * 3) / 4);
    for (const { ruleId, actor, last } of actors) {
      if (state.baselineValueCount <= keep) break;
      state.dropBaseline(ruleId, actor);
      this.#stats.baselineActorsForgotten++;
      this.#forgottenActorsNewest = Math.max(this.#forgottenActorsNewest, last);
    }
  }

  /** Forgets the windows that ended longest ago, down to three quarters of the limit. */
  #forgetOldestWindows(state: StreamState): void {
    const ends = new Float64Array(state.windowCount);
    let i = 0;
    for (const byDedup of state.windows.values())
      for (const windows of byDedup.values()) for (const window of windows.values()) ends[i++] = window.endsAt;
    const end = cut(ends, Math.floor((this.#maxWindows * 3) / 4));
    this.#stats.windowsForgotten += state.dropWindows((window) => window.endsAt <= end);
    this.#forgottenWindowsEnd = Math.max(this.#forgottenWindowsEnd, end);
  }

  /** Forgets the keys whose newest record is oldest, until at most three quarters of the limit are kept. */
  #forgetOldestKeys(state: StreamState): void {
    const keys = [...state.keys].flatMap(([ruleId, byKey]) =>
      [...byKey].map(([key, { state: records }]) => ({ ruleId, key, newest: newestRecordTime(records) })),
    );
    keys.sort((a, b) => a.newest - b.newest);
    const keep = Math.floor((this.#maxRecords * 3) / 4);
    for (const { ruleId, key, newest } of keys) {
      if (state.recordCount <= keep) break;
      state.dropKey(ruleId, key);
      this.#stats.correlationKeysForgotten++;
      this.#forgottenRecordsNewest = Math.max(this.#forgottenRecordsNewest, newest);
    }
  }
}
