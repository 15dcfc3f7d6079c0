// An in-memory CorrelationStore for the batch logic's unit tests. The DynamoDB store's versioned
// writes and replays are tested over the wire (dynamodb-correlation-store.test.ts).
import {
  emptyCorrelationState,
  type CorrelationShape,
  type CorrelationState,
} from '../../../lib/detection/engine/correlation.ts';
import type { CorrelationChange, CorrelationStore } from '../../../lib/pipeline/correlate/correlation-store.ts';
import { answerLater } from './answer-later.ts';

/**
 * A {@link CorrelationStore} in a `Map`, with the updates it got and faults a test arranges.
 *
 * @example
 * ```ts
 * const store = new InMemoryCorrelationStore();
 * store.failNext(new Error('throttled'));
 * ```
 */
export class InMemoryCorrelationStore implements CorrelationStore {
  readonly states = new Map<string, CorrelationState>();
  /** Every update: the rule and the key it was for. */
  readonly updates: Array<{ ruleId: string; key: string }> = [];
  readonly #faults: unknown[] = [];
  readonly #faultsOfRule = new Map<string, unknown>();

  /** The next update throws `error`. */
  public failNext(error: unknown): void {
    this.#faults.push(error);
  }

  /** The next update of rule `ruleId` throws `error`. */
  public failNextOf(ruleId: string, error: unknown): void {
    this.#faultsOfRule.set(ruleId, error);
  }

  public async update<C extends CorrelationChange>(
    rule: CorrelationShape,
    key: string,
    change: (state: CorrelationState) => C,
    beforeCommit?: (outcome: C) => Promise<void>,
  ): Promise<C> {
    await answerLater();
    this.updates.push({ ruleId: rule.id, key });
    if (this.#faults.length > 0) throw this.#faults.shift();
    if (this.#faultsOfRule.has(rule.id)) {
      const fault = this.#faultsOfRule.get(rule.id);
      this.#faultsOfRule.delete(rule.id);
      throw fault;
    }
    const id = `${rule.id}\n${key}`;
    const outcome = change(this.states.get(id) ?? emptyCorrelationState(rule.steps.length));
    await beforeCommit?.(outcome);
    if (outcome.changed) this.states.set(id, outcome.state);
    return outcome;
  }
}
