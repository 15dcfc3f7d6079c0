import { MAX_REJECTED_ITEMS_LISTED } from './constants.ts';
import type { RejectedItem } from './request.ts';

/**
 * The items of a request that are not accepted, as its answer reports them: the first few, in
 * input order, and how many in all. Memory holds the listed ones only, however many are counted.
 *
 * @example
 * ```ts
 * const rejected = new RejectedItems();
 * rejected.add(() => ({ item: 'line 2', reason: 'missing required field "type"' }));
 * [rejected.listed, rejected.count]; // [[{ item: 'line 2', reason: ... }], 1]
 * ```
 */
export class RejectedItems {
  readonly #limit: number;
  readonly #listed: RejectedItem[] = [];
  #count = 0;

  /** @param limit how many are listed (default {@link MAX_REJECTED_ITEMS_LISTED}). */
  public constructor(limit: number = MAX_REJECTED_ITEMS_LISTED) {
    this.#limit = limit;
  }

  /** Counts an item; `describe` is only called for one that is listed (a reason can cost a scan). */
  public add(describe: () => RejectedItem): void {
    this.#count++;
    if (this.#listed.length < this.#limit) this.#listed.push(describe());
  }

  /** The first items added, at most the limit. */
  public get listed(): readonly RejectedItem[] {
    return this.#listed;
  }

  /** How many items were added. */
  public get count(): number {
    return this.#count;
  }
}
