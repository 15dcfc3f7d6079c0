// Over the emulators (dynalite and fauxqs on 127.0.0.1): one handler invocation of a batch, and
// the latency from a message sent to the queue to its alert received by a subscriber.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { readDetectConfig } from '../../lib/config/detect-config.ts';
import { createDetectionHandler } from '../../lib/pipeline/detect/create-handler.ts';
import { SILENT_TELEMETRY } from '../../lib/pipeline/detect/telemetry.ts';
import { emulatorEndpoints, startDynalite, startFauxqs, useEmulators } from '../../lib/tooling/local/emulators.ts';
import { alertFromSubscriberMessage, pollOnce, receiveAndDelete } from '../../lib/tooling/local/event-source.ts';
import { provisionPipeline } from '../../lib/tooling/local/provision.ts';
import { pipelineSettings } from '../../lib/tooling/local/settings.ts';
import { messageBodies, syntheticEvents } from '../../lib/tooling/local/synthetic-events.ts';
import { figure, percentile, type Figure } from './stats.ts';

/** Repetitions. */
export interface PipelineSizes {
  readonly batchRuns: number;
  readonly latencyAlerts: number;
  readonly latencyRuns: number;
}

/**
 * One invocation of 10 messages x 100 events (1% matching), and message-to-alert latency.
 *
 * @example
 * ```ts
 * const figures = await measurePipeline({ batchRuns: 15, latencyAlerts: 50, latencyRuns: 5 });
 * ```
 */
export async function measurePipeline(
  sizes: PipelineSizes,
): Promise<{ batchMs: Figure; alertLatencyP50Ms: Figure; alertLatencyP95Ms: Figure }> {
  const [dynamodbEmulator, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  try {
    useEmulators(emulatorEndpoints(dynamodbEmulator, fauxqs));
    const sqs = new SQSClient({});
    const settings = pipelineSettings();
    const pipeline = await provisionPipeline(
      { dynamodb: new DynamoDBClient({}), sqs, sns: new SNSClient({}) },
      settings,
      'bench',
      {
        visibilityTimeoutSeconds: 2,
      },
    );
    const config = readDetectConfig({
      DEDUP_TABLE_NAME: pipeline.tableName,
      ALERT_TOPIC_ARN: pipeline.topicArn,
      DEAD_LETTER_QUEUE_URL: pipeline.dlqUrl,
    });
    const handler = createDetectionHandler({ config, telemetry: SILENT_TELEMETRY });
    const drainSubscriber = async (wait: number) =>
      (await receiveAndDelete(sqs, pipeline.subscriberUrl, { waitSeconds: wait, attributes: false })).map((m) =>
        alertFromSubscriberMessage(m.Body ?? '{}'),
      );

    // One invocation: 10 messages x 100 events, 1% matching (10 alerts, distinct actors).
    const batchTimes: number[] = [];
    for (let run = -1; run < sizes.batchRuns; run++) {
      const bodies = messageBodies(syntheticEvents(1000, { matchingRate: 0.01, runId: `batch${run}` }), 100);
      const records = bodies.map((body, i) => ({ messageId: `m${run}-${i}`, body }));
      const start = performance.now();
      const result = await handler(records);
      const elapsed = performance.now() - start;
      if (result.batchItemFailures.length > 0) throw new Error('bench batch had failures');
      if (run >= 0) batchTimes.push(elapsed); // run -1 warms up (loads the SDK clients)
      while ((await drainSubscriber(0)).length > 0);
    }

    // Latency: a message with one matching event sent to the queue, until its alert is received.
    const p50s: number[] = [];
    const p95s: number[] = [];
    for (let run = 0; run < sizes.latencyRuns; run++) {
      const sentAt = new Map<string, number>();
      const latencies: number[] = [];
      let stop = false;
      const consumer = (async () => {
        while (!stop)
          await pollOnce(sqs, pipeline.queueUrl, handler, { batchSize: settings.detect.batchSize, waitSeconds: 1 });
      })();
      const subscriber = (async () => {
        while (latencies.length < sizes.latencyAlerts) {
          for (const alert of await drainSubscriber(1)) {
            const sent = sentAt.get(alert.eventId ?? '');
            if (sent !== undefined) latencies.push(performance.now() - sent);
          }
        }
      })();
      for (let i = 0; i < sizes.latencyAlerts; i++) {
        const [event] = syntheticEvents(1, { matchingRate: 1, runId: `lat${run}-${i}` });
        sentAt.set(`audit_log-lat${run}-${i}-0`, performance.now());
        await sqs.send(new SendMessageCommand({ QueueUrl: pipeline.queueUrl, MessageBody: JSON.stringify(event) }));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await subscriber;
      stop = true;
      await consumer;
      p50s.push(percentile(latencies, 50));
      p95s.push(percentile(latencies, 95));
    }
    return { batchMs: figure(batchTimes, 1), alertLatencyP50Ms: figure(p50s, 1), alertLatencyP95Ms: figure(p95s, 1) };
  } finally {
    await Promise.all([dynamodbEmulator.stop(), fauxqs.stop()]);
  }
}
