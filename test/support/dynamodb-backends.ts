// The DynamoDB implementations the store tests run on: dynalite always, and the official DynamoDB
// Local where Java exists (real conditional writes, real ConditionalCheckFailedException, and the
// item a failed condition returns). The mutation run sets DEDUP_TEST_BACKENDS=dynalite: it runs
// these tests once per mutant, and DynamoDB Local is a JVM.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { javaAvailable, startDynamoDbLocal, type Emulator } from '../../lib/tooling/local/emulators.ts';

/** One DynamoDB implementation a store test runs on. */
export interface DynamoDbBackend {
  readonly name: 'dynalite' | 'DynamoDB Local';
  client(): DynamoDBClient;
  /**
   * Whether a conditional write that fails returns the item it failed on
   * (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`): DynamoDB and DynamoDB Local do, dynalite
   * does not.
   */
  readonly itemOnFailedCondition: boolean;
}

/**
 * The backends of this machine, with DynamoDB Local started before the file's tests and stopped
 * after; `what` names the tests in the warning printed when Java is missing. Call at module level.
 *
 * @example
 * ```ts
 * const backends = dynamoDbBackends('the dedup protocol tests');
 * describe.each(backends)('DynamoDedupStore on $name', (backend) => { ... });
 * ```
 */
export function dynamoDbBackends(what: string): DynamoDbBackend[] {
  const backends: DynamoDbBackend[] = [
    { name: 'dynalite', client: () => new DynamoDBClient({}), itemOnFailedCondition: false },
  ];
  let local: Emulator | undefined;
  if (process.env.DEDUP_TEST_BACKENDS === 'dynalite') {
    // only dynalite, on purpose
  } else if (javaAvailable()) {
    backends.push({
      name: 'DynamoDB Local',
      client: () => new DynamoDBClient({ endpoint: local?.endpoint ?? 'http://127.0.0.1:1' }),
      itemOnFailedCondition: true,
    });
  } else {
    // Said once per run, so a machine without Java is visible in the output.
    // eslint-disable-next-line no-console
    console.warn(`java not found: ${what} run on dynalite only, not on DynamoDB Local`);
  }
  beforeAll(async () => {
    if (backends.length > 1) local = await startDynamoDbLocal();
  });
  afterAll(async () => {
    await local?.stop();
  });
  return backends;
}
