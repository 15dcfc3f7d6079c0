// The delivery stage of `npm start`: the delivery queues subscribed to the local alert topic with
// the stack's filter policies, the real delivery handler, and local PagerDuty, Slack and webhook
// receivers on 127.0.0.1 standing in for the destinations. Secrets are generated for the run and
// handed to the handler directly (deployed, they come from SSM).
import { randomBytes } from 'node:crypto';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryConfig } from '../../config/delivery-config.ts';
import { createDeliveryHandler } from '../../delivery/create-handler.ts';
import type { DestinationName } from '../../delivery/destination.ts';
import type { ArchiveStore } from '../../archive/store.ts';
import { staticSecret } from '../../ingestion/parameters/secure-parameter.ts';
import type { DeliveryMetric, DeliveryTelemetry } from '../../delivery/telemetry.ts';
import type { Telemetry } from '../../pipeline/detect/telemetry.ts';
import { outputJson } from '../../shared/output-json.ts';
import { printable } from '../../shared/printable.ts';
import { pollDeliveryQueue } from './delivery-source.ts';
import { queueDepth } from './event-source.ts';
import { provisionDelivery, type LocalDelivery } from './provision.ts';
import {
  startPagerDutyReceiver,
  startSlackReceiver,
  startWebhookReceiver,
  type LocalReceiver,
  type ReceivedRequest,
} from './receivers.ts';
import type { PipelineSettings } from './settings.ts';

const PARAMETERS: Readonly<Record<DestinationName, string>> = {
  pagerduty: '/openai-audit-alerts-local/pagerduty-routing-key',
  slack: '/openai-audit-alerts-local/slack-webhook-url',
  webhook: '/openai-audit-alerts-local/webhook-secret',
};

/** A running local delivery stage. */
export interface LocalDeliveryStage {
  readonly delivery: LocalDelivery;
  readonly receivers: Readonly<Record<DestinationName, LocalReceiver>>;
  /** One poll of every delivery queue through the delivery handler; how many records it received. */
  poll(): Promise<number>;
  /** Alerts waiting on the delivery queues (visible or in flight). */
  pending(): Promise<number>;
  /** Accepted deliveries per destination (the alert archive's as `archive`), and alerts put back for a retry. */
  counted(metric: DeliveryMetric, destination: DestinationName | 'archive'): number;
  stop(): Promise<void>;
}

/**
 * Provisions the delivery queues, starts the receivers and builds the delivery handler.
 *
 * @example
 * ```ts
 * const stage = await startLocalDeliveryStage({ sqs, sns }, settings, prefix, pipeline.topicArn, { log, visibilityTimeoutSeconds: 2 });
 * ```
 */
export async function startLocalDeliveryStage(
  clients: { sqs: SQSClient; sns: SNSClient },
  settings: PipelineSettings,
  prefix: string,
  topicArn: string,
  options: {
    log: Telemetry['log'];
    visibilityTimeoutSeconds?: number;
    /** The alert archive: its bucket, and the store alerts are written to. */
    archive: { bucket: string; store: () => Promise<ArchiveStore> };
  },
): Promise<LocalDeliveryStage> {
  const delivery = await provisionDelivery(
    clients,
    settings,
    prefix,
    topicArn,
    options.visibilityTimeoutSeconds === undefined
      ? {}
      : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds },
  );
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const [pagerduty, slack, webhook] = await Promise.all([
    startPagerDutyReceiver(),
    startSlackReceiver(),
    startWebhookReceiver(secret),
  ]);
  const receivers = { pagerduty, slack, webhook };
  const config: DeliveryConfig = {
    deadLetterQueueUrl: delivery.dlqUrl,
    logLevel: 'INFO',
    pagerDuty: {
      queueUrl: delivery.queues.pagerduty.url,
      routingKeyParameter: PARAMETERS.pagerduty,
      eventsUrl: pagerduty.url,
    },
    slack: { queueUrl: delivery.queues.slack.url, webhookUrlParameter: PARAMETERS.slack },
    webhook: { queueUrl: delivery.queues.webhook.url, url: webhook.url, secretParameter: PARAMETERS.webhook },
    archive: { queueUrl: delivery.archiveQueue.url, bucket: options.archive.bucket },
  };
  const counts = new Map<string, number>();
  const telemetry: DeliveryTelemetry = {
    log: options.log,
    count: (metric, destination, value = 1) =>
      void counts.set(`${metric}:${destination}`, (counts.get(`${metric}:${destination}`) ?? 0) + value),
  };
  const values: Record<string, string> = {
    [PARAMETERS.pagerduty]: randomBytes(16).toString('hex'),
    [PARAMETERS.slack]: slack.url,
    [PARAMETERS.webhook]: secret,
  };
  const deliver = createDeliveryHandler({
    config,
    telemetry,
    secretFor: (name) => staticSecret(values[name] ?? '', name),
    sqs: clients.sqs,
    archiveStore: options.archive.store,
  });
  const queues = [...Object.values(delivery.queues), delivery.archiveQueue];
  return {
    delivery,
    receivers,
    async poll() {
      let received = 0;
      for (const queue of queues)
        received += await pollDeliveryQueue(clients.sqs, queue, (records) => deliver(records, () => 60_000));
      return received;
    },
    async pending() {
      let total = 0;
      for (const queue of queues) total += await queueDepth(clients.sqs, queue.url);
      return total;
    },
    counted: (metric, destination) => counts.get(`${metric}:${destination}`) ?? 0,
    stop: async () => {
      await Promise.all(Object.values(receivers).map((r) => r.stop()));
    },
  };
}

/**
 * The alert a delivery carries: PagerDuty's `dedup_key`, the webhook's `webhook-id`, or the alert id
 * in a Slack message's footer.
 *
 * @example
 * ```ts
 * alertIdOf(request); // '328f2bde2e79e594cf21a3eada0c0756'
 * ```
 */
export function alertIdOf(request: ReceivedRequest): string | undefined {
  if (request.destination === 'webhook') return request.headers['webhook-id'];
  try {
    const body = JSON.parse(request.body) as {
      dedup_key?: unknown;
      blocks?: Array<{ type?: string; elements?: Array<{ text?: string }> }>;
    };
    if (request.destination === 'pagerduty') return typeof body.dedup_key === 'string' ? body.dedup_key : undefined;
    const footer = body.blocks?.find((b) => b.type === 'context')?.elements?.[0]?.text ?? '';
    return /^alert (\S+)/.exec(footer)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * One delivery as a terminal line: destination, answer, and what identifies it there.
 *
 * @example
 * ```ts
 * deliveryLine(request); // '          -> pagerduty  202  incident 328f2bde… (error) "HIGH: OpenAI API Key…"'
 * ```
 */
export function deliveryLine(request: ReceivedRequest): string {
  const pad = ' '.repeat(10);
  const answer = `${request.answer}`.padEnd(5);
  let what = request.problem === undefined ? '' : `refused: ${request.problem}`;
  try {
    if (request.problem === undefined && request.destination === 'pagerduty') {
      const event = JSON.parse(request.body) as { dedup_key: string; payload: { severity: string; summary: string } };
      what = `dedup_key ${event.dedup_key} · severity ${event.payload.severity} · "${event.payload.summary}"`;
    } else if (request.problem === undefined && request.destination === 'slack') {
      const message = JSON.parse(request.body) as { text: string; blocks: unknown[] };
      what = `${message.blocks.length} blocks · "${message.text}"`;
    } else if (request.problem === undefined) {
      const event = JSON.parse(request.body) as { type: string };
      what = `webhook-id ${request.headers['webhook-id'] ?? ''} · ${event.type} · signature verified`;
    }
  } catch {
    what = 'unreadable body';
  }
  const duplicate = request.duplicate ? ' (duplicate: already received)' : '';
  return `${pad}-> ${request.destination.padEnd(10)} ${answer}${printable(what, 200)}${duplicate}\n`;
}

/**
 * The whole request a receiver got, for `--payloads`: the headers that matter (signature included;
 * the signing secret never travels) and the body, pretty-printed.
 *
 * @example
 * ```ts
 * process.stdout.write(payloadText(request));
 * ```
 */
export function payloadText(request: ReceivedRequest): string {
  const headers = Object.entries(request.headers)
    .filter(([name]) => name === 'content-type' || name === 'user-agent' || name.startsWith('webhook-'))
    .map(([name, value]) => `${name}: ${value}`);
  let body: string;
  try {
    const parsed = JSON.parse(request.body) as Record<string, unknown>;
    // The run's generated routing key is a credential in shape: shown shortened, like any key.
    if (typeof parsed.routing_key === 'string')
      parsed.routing_key = `${parsed.routing_key.slice(0, 4)}… (generated for this run)`;
    body = outputJson(parsed, 2);
  } catch {
    body = request.body;
  }
  return `${[`POST ${request.destination} -> ${request.answer}`, ...headers, '', body].map((line) => line.replace(/^/gm, '            ')).join('\n')}\n\n`;
}
