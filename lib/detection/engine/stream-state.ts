import { baselineValueCount, type BaselineState } from './baseline.ts';
import { correlationRecordCount, type CorrelationState } from './correlation.ts';
import type { Severity } from './severity.ts';

/**
 * Event ids counted in a window, kept small: most windows hold one or a few (a string, then an
 * array), a busy one a Set.
 */
type EventIds = string | string[] | Set<string> | undefined;

/** Past this many event ids a window keeps them in a Set. */
const SMALL_ID_LIST = 8;

/** One dedup window of the stream: what it counted and whether it alerted. */
export interface StreamWindow {
  readonly endsAt: number;
  eventIds: EventIds;
  /** Distinct `unique()` values, for rules that count them. */
  values: Set<string> | undefined;
  count: number;
  /** Severity of the window's latest alert, once it has alerted. */
  severity: Severity | undefined;
}

/** One correlation rule's state for one key. */
export interface StreamKey {
  /** Its records, replaced by each new one (a state is a few records: see `recordsKept`). */
  state: CorrelationState;
  readonly lookbackSeconds: number;
}

/** One baseline rule's state for one actor. */
export interface StreamBaseline {
  readonly state: BaselineState;
  readonly forgetAfterSeconds: number;
}

/**
 * Whether a window counted an event already.
 *
 * @example
 * ```ts
 * if (hasEventId(window, 'e1')) return 'repeat';
 * ```
 */
export function hasEventId(window: StreamWindow, id: string): boolean {
  const ids = window.eventIds;
  if (ids === undefined) return false;
  if (typeof ids === 'string') return ids === id;
  return Array.isArray(ids) ? ids.includes(id) : ids.has(id);
}

/**
 * Adds an event id to a window's.
 *
 * @example
 * ```ts
 * addEventId(window, 'e1');
 * ```
 */
export function addEventId(window: StreamWindow, id: string): void {
  const ids = window.eventIds;
  if (ids === undefined) window.eventIds = id;
  else if (typeof ids === 'string') window.eventIds = [ids, id];
  // A new array of the exact size: push() would reserve room for 17 more.
  else if (Array.isArray(ids)) window.eventIds = ids.length < SMALL_ID_LIST ? [...ids, id] : new Set([...ids, id]);
  else ids.add(id);
}

/**
 * What a stream evaluation remembers between events: dedup windows by rule, dedup string and window
 * number, and correlation state by rule and key, with their counts. Its owner may forget parts of
 * it (see `StreamBounds`).
 *
 * @example
 * ```ts
 * const state = new StreamState();
 * state.dropWindows((window) => window.endsAt < horizon);
 * ```
 */
export class StreamState {
  /** Windows by rule id, then by dedup string, then by window number (start / period). */
  readonly windows = new Map<string, Map<string, Map<number, StreamWindow>>>();
  /** Correlation state by rule id, then by key. */
  readonly keys = new Map<string, Map<string, StreamKey>>();
  /** Baselines by rule id, then by actor. */
  readonly baselines = new Map<string, Map<string, StreamBaseline>>();
  windowCount = 0;
  recordCount = 0;
  /** Known values of every baseline together. */
  baselineValueCount = 0;

  /** Drops the windows `drop` picks; returns how many. */
  public dropWindows(drop: (window: StreamWindow) => boolean): number {
    let dropped = 0;
    for (const [ruleId, byDedup] of this.windows) {
      for (const [dedup, windows] of byDedup) {
        for (const [index, window] of windows) {
          if (!drop(window)) continue;
          windows.delete(index);
          dropped++;
        }
        if (windows.size === 0) byDedup.delete(dedup);
      }
      if (byDedup.size === 0) this.windows.delete(ruleId);
    }
    this.windowCount -= dropped;
    return dropped;
  }

  /** Sets an actor's baseline, keeping {@link StreamState.baselineValueCount}; returns whether the actor is new. */
  public setBaseline(ruleId: string, actor: string, baseline: StreamBaseline): boolean {
    let byActor = this.baselines.get(ruleId);
    if (byActor === undefined) {
      byActor = new Map();
      this.baselines.set(ruleId, byActor);
    }
    const before = byActor.get(actor);
    byActor.set(actor, baseline);
    this.baselineValueCount += baselineValueCount(baseline.state) - baselineValueCount(before?.state);
    return before === undefined;
  }

  /** Drops one actor's baseline. */
  public dropBaseline(ruleId: string, actor: string): void {
    const byActor = this.baselines.get(ruleId);
    const entry = byActor?.get(actor);
    if (byActor === undefined || entry === undefined) return;
    byActor.delete(actor);
    this.baselineValueCount -= baselineValueCount(entry.state);
  }

  /** Drops one correlation key's state. */
  public dropKey(ruleId: string, key: string): void {
    const byKey = this.keys.get(ruleId);
    const entry = byKey?.get(key);
    if (byKey === undefined || entry === undefined) return;
    byKey.delete(key);
    this.recordCount -= correlationRecordCount(entry.state);
  }
}
