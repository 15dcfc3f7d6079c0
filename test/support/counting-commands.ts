// Counts the commands an AWS SDK client sends, for tests that check what a store costs on the wire.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The commands `client` sends from now on, by name (`GetItemCommand: 1`), counted as they start.
 *
 * @example
 * ```ts
 * const sent = countingCommands(client);
 * await store.update(rule, key, change);
 * expect(sent).toEqual({ PutItemCommand: 1 });
 * ```
 */
export function countingCommands(client: DynamoDBClient): Record<string, number> {
  const sent: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent[String(context.commandName)] = (sent[String(context.commandName)] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return sent;
}
