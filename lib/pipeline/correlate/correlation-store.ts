import type { CorrelationShape, CorrelationState } from '../../detection/engine/correlation.ts';

/** What a change to a correlation's state made of it, and what the change returns to its caller. */
export interface CorrelationChange {
  readonly state: CorrelationState;
  /** `false` when the state is as it was: nothing is written. */
  readonly changed: boolean;
}

/**
 * The state of correlation rules, per rule and key, shared by every consumer.
 *
 * @example
 * ```ts
 * const { findings } = await store.update(rule, storageKey, (state) => recordSteps(rule, state, key, additions));
 * ```
 */
export interface CorrelationStore {
  /**
   * Applies `change`, a pure function of the stored state, to the state of `rule` for `key`, and
   * returns what it returned on the state it was written over. When another writer changed the
   * state first, `change` runs again on the newer state, so no writer's records are lost. A change
   * that leaves the state as it was writes nothing. `beforeCommit` is awaited with each outcome
   * before it is written (or returned, when it changes nothing); when it throws, nothing is
   * written: a state never holds a step whose findings were not dealt with first.
   */
  update<C extends CorrelationChange>(
    rule: CorrelationShape,
    key: string,
    change: (state: CorrelationState) => C,
    beforeCommit?: (outcome: C) => Promise<void>,
  ): Promise<C>;
}
