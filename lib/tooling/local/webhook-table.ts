import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Creates a table shaped like the stack's webhook deliveries table (`pk` string key; TTL on
 * `expiresAt` cannot be set on dynalite, and expired items are overwritten anyway).
 *
 * @example
 * ```ts
 * await createWebhookDeliveriesTable(dynamodb, 'openai-audit-alerts-local-webhook-deliveries');
 * ```
 */
export async function createWebhookDeliveriesTable(dynamodb: DynamoDBClient, name: string): Promise<string> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // Emulators create tables asynchronously too: a request right away could find it still CREATING.
  while ((await dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE') {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return name;
}
