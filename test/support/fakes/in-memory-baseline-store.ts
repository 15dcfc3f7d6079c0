// An in-memory BaselineStore for the batch logic's unit tests. The DynamoDB store's versioned
// writes and replays are tested over the wire (dynamodb-baseline-store.test.ts).
import type { BaselineShape, BaselineState } from '../../../lib/detection/engine/baseline.ts';
import type { BaselineChange, BaselineStore } from '../../../lib/pipeline/baseline/baseline-store.ts';
import { answerLater } from './answer-later.ts';

/**
 * A {@link BaselineStore} in a `Map`, with the updates it got, the writes it made, and faults a
 * test arranges.
 *
 * @example
 * ```ts
 * const store = new InMemoryBaselineStore();
 * store.failNext(new Error('throttled'));
 * ```
 */
export class InMemoryBaselineStore implements BaselineStore {
  readonly states = new Map<string, BaselineState>();
  /** Every update: the rule and the actor it was for. */
  readonly updates: Array<{ ruleId: string; actor: string }> = [];
  /** Updates that changed the state (a write in DynamoDB). */
  writes = 0;
  readonly #faults: unknown[] = [];
  #replays = 0;

  /**
   * The next update loses its first write, as to another invocation that wrote first: its change
   * and `beforeCommit` run again (here on the same state), as the DynamoDB store replays them.
   */
  public loseNextWrite(): void {
    this.#replays++;
  }

  /** The next update throws `error`. */
  public failNext(error: unknown): void {
    this.#faults.push(error);
  }

  public async update<C extends BaselineChange>(
    rule: BaselineShape,
    actor: string,
    change: (state: BaselineState | undefined) => C,
    beforeCommit?: (outcome: C) => Promise<void>,
  ): Promise<C> {
    await answerLater();
    this.updates.push({ ruleId: rule.id, actor });
    if (this.#faults.length > 0) throw this.#faults.shift();
    const id = `${rule.id}\n${actor}`;
    if (this.#replays > 0) {
      this.#replays--;
      await beforeCommit?.(change(this.states.get(id)));
    }
    const outcome = change(this.states.get(id));
    await beforeCommit?.(outcome);
    if (outcome.changed && outcome.state !== undefined) {
      this.states.set(id, outcome.state);
      this.writes++;
    }
    return outcome;
  }
}
