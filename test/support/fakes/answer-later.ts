/**
 * Lets the caller go on before a fake answers, as a store or service over the network does, so
 * work the batch runs concurrently interleaves in tests as it does deployed.
 *
 * @example
 * ```ts
 * public async publish(alert: AlertDocument): Promise<void> {
 *   await answerLater();
 *   this.published.push(alert);
 * }
 * ```
 */
export function answerLater(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
