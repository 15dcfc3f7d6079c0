/**
 * A value built on first use and kept, for clients that cost time to load: nothing is imported or
 * constructed until something needs it. A failed build is not kept, so the next use tries again.
 *
 * @example
 * ```ts
 * const store = lazy(async () => new DynamoDedupStore({ client: await dynamodb(), tableName }));
 * await store();
 * ```
 */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= build().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
