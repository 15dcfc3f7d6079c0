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
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      try {
        await task?.();
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  if (errors.length > 0) throw errors[0];
}
