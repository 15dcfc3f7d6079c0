import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { enqueueEvents } from '../packing/enqueue-events.ts';
import type { Organization } from '../packing/organization.ts';
import type { SecretSource } from '../parameters/secure-parameter.ts';
import type { WebhookDependencies } from './handle-webhook.ts';
import { DynamoReplayGuard } from './replay-guard.ts';

/** Where the webhook's AWS resources are. */
export interface WebhookResources {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly dynamodb: DynamoDBClient;
  /** The table of webhook-ids (replay protection). */
  readonly deliveriesTable: string;
  readonly secrets: SecretSource;
  readonly bearerEnabled: boolean;
  readonly organizations: readonly Organization[];
  readonly log?: WebhookDependencies['log'];
}

/**
 * The webhook's dependencies on AWS (or the emulators): events go to the detection queue packed
 * as the poller packs them (events that cannot travel are reported to the sender, not
 * dead-lettered: the webhook's role may only send to the detection queue), webhook-ids to DynamoDB.
 *
 * @example
 * ```ts
 * const deps = webhookDependencies({ sqs, queueUrl, dynamodb, deliveriesTable, secrets, bearerEnabled: false, organizations });
 * ```
 */
export function webhookDependencies(resources: WebhookResources): WebhookDependencies {
  return {
    secrets: resources.secrets,
    bearerEnabled: resources.bearerEnabled,
    organizations: resources.organizations,
    replay: new DynamoReplayGuard(resources.dynamodb, resources.deliveriesTable),
    enqueue: (events, organization) =>
      enqueueEvents({ sqs: resources.sqs, queueUrl: resources.queueUrl }, events, { organization, source: 'webhook' }),
    clock: () => Math.floor(Date.now() / 1000),
    ...(resources.log ? { log: resources.log } : {}),
  };
}
