/**
 * Runs tasks with at most `limit` in flight; resolves when all have settled. Tasks report their own
 * failures: a rejection here is a bug in the caller and is rethrown after all tasks settle.
 *
 * @example
 * ```ts
 * await runBounded(records.map((r) => () => handle(r)), 8);
 * ```
 */
export async function runBounded(tasks: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  // One iterator shared by the workers: each takes the next task when it is free.
  const queue = tasks.values();
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    for (const task of queue) {
      try {
        await task();
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  if (errors.length > 0) throw errors[0];
}
