/**
 * Computes a rule's decision once per event: the engine runs a rule's `match`, `title`,
 * `severity`, `dedup` and `alertContext` on one event one after the other, so remembering the last
 * event and its answer is enough, holds nothing else alive, and costs the garbage collector nothing
 * (unlike a `WeakMap` keyed by every event). `decide` must be a pure function of the event.
 *
 * @example
 * ```ts
 * const decision = perEvent((event: AuditEvent) => keyPermissions(event));
 * match: (event) => decision(event).kind !== 'none',
 * ```
 */
export function perEvent<E extends object, D>(decide: (event: E) => D): (event: E) => D {
  let lastEvent: E | undefined;
  let lastDecision: D | undefined;
  return (event) => {
    if (event !== lastEvent) {
      // Forget first: if decide() throws, the old answer must not be served for the new event.
      lastEvent = undefined;
      lastDecision = decide(event);
      lastEvent = event;
    }
    return lastDecision as D;
  };
}
