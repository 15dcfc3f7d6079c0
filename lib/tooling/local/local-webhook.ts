import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_ORGANIZATION } from '../../ingestion/packing/organization.ts';
import { staticSecret } from '../../ingestion/parameters/secure-parameter.ts';
import { webhookDependencies } from '../../ingestion/webhook/aws-dependencies.ts';
import { signWebhook } from '../../ingestion/webhook/signature.ts';
import { startWebhookServer, type WebhookServer } from './webhook-server.ts';
import { createWebhookDeliveriesTable } from './webhook-table.ts';

/** The local webhook, and what to print about it. */
export interface LocalWebhook {
  readonly server: WebhookServer;
  /** Lines for the terminal: the URL, the secret, a ready curl command with a valid signature. */
  readonly info: string;
}

/** Single quotes for a POSIX shell. */
const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * Serves the webhook on 127.0.0.1 for `npm start -- --keep-running`: a fresh signing secret and
 * bearer token for this run (bearer is on locally, off by default when deployed), a webhook-id
 * table on the emulator, events to the local detection queue.
 *
 * @example
 * ```ts
 * const webhook = await startLocalWebhook({ dynamodb, sqs, queueUrl, prefix, sampleFile });
 * io.stdout(webhook.info);
 * ```
 */
export async function startLocalWebhook(options: {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly prefix: string;
  /** Signed for the printed curl command. */
  readonly sampleFile: string;
  readonly port?: number;
}): Promise<LocalWebhook> {
  const key = randomBytes(32);
  const secret = `whsec_${key.toString('base64')}`;
  const token = randomBytes(24).toString('hex');
  const deliveriesTable = await createWebhookDeliveriesTable(options.dynamodb, `${options.prefix}-webhook-deliveries`);
  const server = await startWebhookServer(
    webhookDependencies({
      sqs: options.sqs,
      queueUrl: options.queueUrl,
      dynamodb: options.dynamodb,
      deliveriesTable,
      secrets: staticSecret(`${secret} bearer:${token}`, 'the local webhook secret'),
      bearerEnabled: true,
      organizations: [DEFAULT_ORGANIZATION],
    }),
    options.port ?? 0,
  );
  const body = await readFile(options.sampleFile);
  const id = `msg_local_${randomBytes(8).toString('hex')}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = signWebhook(key, id, timestamp, body);
  const info = [
    `Webhook (Standard Webhooks signatures): POST ${server.url}`,
    `  signing secret: ${secret}`,
    `  bearer token:   ${token} (accepted locally; deployed, only with webhookBearerAuth=true)`,
    '  send the test event, signed (the signature is valid for 5 minutes; a second send is a replay, enqueued once):',
    `  curl -sS ${server.url} -H 'content-type: application/json' \\`,
    `    -H 'webhook-id: ${id}' -H 'webhook-timestamp: ${timestamp}' \\`,
    `    -H 'webhook-signature: ${signature}' \\`,
    `    --data-binary @${shellQuote(options.sampleFile)}`,
    '  or with the bearer token (no expiry):',
    `  curl -sS ${server.url} -H 'content-type: application/json' -H 'authorization: Bearer ${token}' --data-binary @${shellQuote(options.sampleFile)}`,
    '',
  ].join('\n');
  return { server, info };
}
