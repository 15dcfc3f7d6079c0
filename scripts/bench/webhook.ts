// The webhook over HTTP on 127.0.0.1: signed requests of 100 events, 4 in flight, through the same
// request handling as the deployed function (signature, body, webhook-id claim, packing, queue).
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_ORGANIZATION } from '../../lib/ingestion/packing/organization.ts';
import { staticSecret } from '../../lib/ingestion/parameters/secure-parameter.ts';
import { webhookDependencies } from '../../lib/ingestion/webhook/aws-dependencies.ts';
import { signWebhook } from '../../lib/ingestion/webhook/signature.ts';
import { emulatorEndpoints, startDynalite, startFauxqs, useEmulators } from '../../lib/tooling/local/emulators.ts';
import { provisionPipeline } from '../../lib/tooling/local/provision.ts';
import { pipelineSettings } from '../../lib/tooling/local/settings.ts';
import { syntheticEvents } from '../../lib/tooling/local/synthetic-events.ts';
import { startWebhookServer } from '../../lib/tooling/local/webhook-server.ts';
import { createWebhookDeliveriesTable } from '../../lib/tooling/local/webhook-table.ts';
import { figure, percentile, type Figure } from './stats.ts';

/** Events per webhook request, and requests in flight at once (a forwarder's few connections). */
export const WEBHOOK_EVENTS_PER_REQUEST = 100;
export const WEBHOOK_CONCURRENCY = 4;

/**
 * Signed requests over HTTP, `requests` per run, `runs` runs after a warm-up.
 *
 * @example
 * ```ts
 * const figures = await measureWebhook({ webhookRequests: 200, webhookRuns: 5 });
 * ```
 */
export async function measureWebhook(sizes: {
  webhookRequests: number;
  webhookRuns: number;
}): Promise<{ eventsPerSecond: Figure; p50Ms: Figure; p95Ms: Figure }> {
  const [dynamodbEmulator, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  try {
    useEmulators(emulatorEndpoints(dynamodbEmulator, fauxqs));
    const sqs = new SQSClient({});
    const dynamodb = new DynamoDBClient({});
    const pipeline = await provisionPipeline(
      { dynamodb, sqs, sns: new SNSClient({}) },
      pipelineSettings(),
      'bench-webhook',
    );
    const key = randomBytes(32);
    const server = await startWebhookServer(
      webhookDependencies({
        sqs,
        queueUrl: pipeline.queueUrl,
        dynamodb,
        deliveriesTable: await createWebhookDeliveriesTable(dynamodb, 'bench-webhook-deliveries'),
        secrets: staticSecret(`whsec_${key.toString('base64')}`, 'bench'),
        bearerEnabled: false,
        organizations: [DEFAULT_ORGANIZATION],
      }),
    );
    try {
      const rates: number[] = [];
      const p50s: number[] = [];
      const p95s: number[] = [];
      for (let run = -1; run < sizes.webhookRuns; run++) {
        const bodies = Array.from({ length: sizes.webhookRequests }, (_, i) =>
          Buffer.from(
            JSON.stringify(syntheticEvents(WEBHOOK_EVENTS_PER_REQUEST, { matchingRate: 0.01, runId: `wh${run}-${i}` })),
          ),
        );
        const latencies: number[] = [];
        let next = 0;
        const sender = async () => {
          for (let i = next++; i < bodies.length; i = next++) {
            const body = bodies[i] ?? Buffer.alloc(0);
            const id = `msg_bench_${run}_${i}`;
            const timestamp = String(Math.floor(Date.now() / 1000));
            const start = performance.now();
            const response = await fetch(server.url, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'webhook-id': id,
                'webhook-timestamp': timestamp,
                'webhook-signature': signWebhook(key, id, timestamp, body),
              },
              body,
            });
            await response.arrayBuffer();
            if (response.status !== 202) throw new Error(`bench webhook request answered ${response.status}`);
            latencies.push(performance.now() - start);
          }
        };
        const start = performance.now();
        await Promise.all(Array.from({ length: WEBHOOK_CONCURRENCY }, sender));
        const seconds = (performance.now() - start) / 1000;
        await sqs.send(new PurgeQueueCommand({ QueueUrl: pipeline.queueUrl }));
        if (run < 0) continue; // warm-up
        rates.push((bodies.length * WEBHOOK_EVENTS_PER_REQUEST) / seconds);
        p50s.push(percentile(latencies, 50));
        p95s.push(percentile(latencies, 95));
      }
      return { eventsPerSecond: figure(rates, 0), p50Ms: figure(p50s, 1), p95Ms: figure(p95s, 1) };
    } finally {
      await server.stop();
    }
  } finally {
    await Promise.all([dynamodbEmulator.stop(), fauxqs.stop()]);
  }
}
