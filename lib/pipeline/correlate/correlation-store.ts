import type { CorrelationShape, CorrelationState } from '../../detection/engine/correlation.ts';
import type { StepRecord } from '../../detection/engine/correlation.ts';

/**
 * The state of correlation rules, per rule and key, shared by every consumer.
 *
 * @example
 * ```ts
 * const state = await store.record(rule, 'alice@example.com', 0, { eventId: 'e1', time: 1700000000 });
 * const findings = correlationFindings(rule, state, 'alice@example.com', 0, record);
 * ```
 */
export interface CorrelationStore {
  /**
   * Adds a step match to the state of `rule` for `key` and returns the state that includes it.
   * Idempotent: a match already recorded leaves the state as it is (and returns it). Safe under
   * concurrent writers for the same key: none of their matches is lost.
   */
  record(rule: CorrelationShape, key: string, stepIndex: number, record: StepRecord): Promise<CorrelationState>;
}
