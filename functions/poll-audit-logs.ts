// The scheduled poller: lists the audit log of every configured OpenAI organization into the
// detection queue. Wiring only: configuration (checked at cold start), the AWS clients, Powertools
// logging and metrics, and the run in lib/ingestion/poller (each organization's admin key from
// SSM, its own cursor item; one organization's failure does not stop the others).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { readPollConfig } from '../lib/config/poll-config.ts';
import { SecureStringProvider } from '../lib/ingestion/parameters/secure-string-provider.ts';
import { awsOrganizationPoller } from '../lib/ingestion/poller/aws-dependencies.ts';
import { pollOrganizations } from '../lib/ingestion/poller/poll-organizations.ts';
import { createPowertools } from '../lib/shared/powertools.ts';

const config = readPollConfig(process.env);
const { logger, metrics, ...telemetry } = createPowertools(config.logLevel);
const pollOrganization = awsOrganizationPoller(config, {
  sqs: new SQSClient({}),
  dynamodb: new DynamoDBClient({}),
  parameters: new SecureStringProvider({ awsSdkV3Client: new SSMClient({}) }),
  log: telemetry.log,
});

/** Lambda entry point for the schedule. */
export async function handler(_event: unknown, context: Context): Promise<void> {
  logger.addContext(context);
  const remainingMs = () => context.getRemainingTimeInMillis();
  try {
    await pollOrganizations({
      organizations: config.organizations,
      streams: config.streams,
      poll: (org, stream) => pollOrganization(org, stream, remainingMs),
      telemetry,
    });
  } finally {
    metrics.publishStoredMetrics();
  }
}
