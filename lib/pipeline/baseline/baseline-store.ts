import type { BaselineShape, BaselineState } from '../../detection/engine/baseline.ts';

/** What a change to an actor's baseline made of it, and what the change returns to its caller. */
export interface BaselineChange {
  /** `undefined` only when there was no state and the change made none. */
  readonly state: BaselineState | undefined;
  /** `false` when the state is as it was: nothing is written. */
  readonly changed: boolean;
}

/**
 * The first-seen baselines of baseline rules, per rule and actor, shared by every consumer.
 *
 * @example
 * ```ts
 * const { observed } = await store.update(rule, storageKey, (state) => observeSightings(rule, state, sightings));
 * ```
 */
export interface BaselineStore {
  /**
   * Applies `change`, a pure function of the stored baseline (`undefined` for an actor never seen),
   * to the baseline of `rule` for `actor`, and returns what it returned on the state it was written
   * over. When another writer changed it first, `change` runs again on the newer state, so two
   * consumers agree on what was new. A change that leaves the state as it was writes nothing.
   * `beforeCommit`, when given, is awaited with each outcome before it is written (or returned,
   * when it changes nothing); when it throws, nothing is written.
   */
  update<C extends BaselineChange>(
    rule: BaselineShape,
    actor: string,
    change: (state: BaselineState | undefined) => C,
    beforeCommit?: (outcome: C) => Promise<void>,
  ): Promise<C>;
}
