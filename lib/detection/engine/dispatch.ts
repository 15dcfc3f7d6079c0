/** What dispatching needs of a rule: the event types it runs on (every type when absent). */
interface Dispatched {
  readonly rule: { readonly eventTypes?: readonly string[] };
}

/**
 * Which rules an event goes to, by its type: indexed once, so an event of a type no rule runs on
 * costs one Map lookup and allocates nothing.
 *
 * @example
 * ```ts
 * const dispatch = new EventDispatch(compiled.enabled);
 * dispatch.rulesFor('login.failed'); // the credential-stuffing rule and the failed-login signal
 * dispatch.rulesFor('project.updated'); // []
 * ```
 */
export class EventDispatch<R extends Dispatched> {
  readonly #anyType: readonly R[];
  readonly #byType = new Map<string, R[]>();

  /** @param rules In the order they run on an event. */
  public constructor(rules: readonly R[]) {
    this.#anyType = rules.filter((entry) => entry.rule.eventTypes === undefined);
    for (const entry of rules) {
      for (const type of entry.rule.eventTypes ?? []) {
        const bucket = this.#byType.get(type) ?? [];
        if (!bucket.includes(entry)) bucket.push(entry);
        this.#byType.set(type, bucket);
      }
    }
    // Rules that take every type run on every listed type too, in registration order.
    for (const [type, bucket] of this.#byType)
      this.#byType.set(
        type,
        rules.filter((entry) => bucket.includes(entry) || this.#anyType.includes(entry)),
      );
  }

  /** The rules an event of `eventType` goes to, in order. */
  public rulesFor(eventType: string | undefined): readonly R[] {
    return (eventType === undefined ? undefined : this.#byType.get(eventType)) ?? this.#anyType;
  }
}
