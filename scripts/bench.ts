// npm run bench [-- --json] [-- --quick]
// Performance figures of the detection function. Every figure is a median over repeated runs,
// with min and max. See docs/performance.md for what each means and where the time goes.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { randomBytes } from 'node:crypto';
import { PurgeQueueCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { readDetectConfig } from '../lib/config/detect-config.ts';
import { createDetectionHandler } from '../lib/pipeline/detect/create-handler.ts';
import { SILENT_TELEMETRY } from '../lib/pipeline/detect/telemetry.ts';
import { messageContent } from '../lib/pipeline/intake/message-body.ts';
import { emulatorEndpoints, startDynalite, startFauxqs, useEmulators } from '../lib/tooling/local/emulators.ts';
import { alertFromSubscriberMessage, pollOnce, receiveAndDelete } from '../lib/tooling/local/event-source.ts';
import { provisionPipeline } from '../lib/tooling/local/provision.ts';
import { pipelineSettings } from '../lib/tooling/local/settings.ts';
import { messageBodies, syntheticEvents } from '../lib/tooling/local/synthetic-events.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../lib/detection/openai/constants.ts';
import { createRuleCatalog } from '../lib/detection/rules/index.ts';
import { hideSdkNodeVersionNotice } from '../lib/util/sdk-node-notice.ts';
import { DEFAULT_ORGANIZATION } from '../lib/ingestion/packing/organization.ts';
import { staticSecret } from '../lib/ingestion/parameters/secure-parameter.ts';
import { webhookDependencies } from '../lib/ingestion/webhook/aws-dependencies.ts';
import { signWebhook } from '../lib/ingestion/webhook/signature.ts';
import { startWebhookServer } from '../lib/tooling/local/webhook-server.ts';
import { createWebhookDeliveriesTable } from '../lib/tooling/local/webhook-table.ts';
import { buildFunctions } from './build.ts';

hideSdkNodeVersionNotice();

const { values: args } = parseArgs({ options: { json: { type: 'boolean' }, quick: { type: 'boolean' } } });
const SIZES = args.quick
  ? { parseBodies: 20, parseRuns: 3, batchRuns: 2, latencyAlerts: 5, latencyRuns: 1, coldRuns: 2, webhookRequests: 10, webhookRuns: 2 }
  : { parseBodies: 400, parseRuns: 15, batchRuns: 15, latencyAlerts: 50, latencyRuns: 5, coldRuns: 15, webhookRequests: 200, webhookRuns: 5 };
/** Events per webhook request, and requests in flight at once (a forwarder's few connections). */
const WEBHOOK_EVENTS_PER_REQUEST = 100;
const WEBHOOK_CONCURRENCY = 4;
const root = join(import.meta.dirname, '..');
const BENCH_DIST = '.bench/dist';
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Median, min and max of a sample. */
interface Figure {
  median: number;
  min: number;
  max: number;
}

function figure(values: readonly number[], digits = 3): Figure {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  const round = (v: number) => Number(v.toFixed(digits));
  return { median: round(median), min: round(sorted[0] ?? 0), max: round(sorted.at(-1) ?? 0) };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function cpuMs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

// --- The non-I/O path against JSON.parse alone -----------------------------------------------
function measureParsing(): { parseRatio: Figure; eventsPerSecond: Figure; events: number } {
  const catalog = createRuleCatalog();
  const bodies = messageBodies(syntheticEvents(SIZES.parseBodies * 100, { matchingRate: 0.01, runId: 'parse' }), 100);
  const events = SIZES.parseBodies * 100;
  let sink = 0;
  const parseOnly = () => {
    for (const body of bodies) sink += (JSON.parse(body) as unknown[]).length;
  };
  const fullPath = () => {
    for (const body of bodies) {
      const content = messageContent(body);
      if (content.kind !== 'events') continue;
      for (const { event } of content.events) sink += catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event).matches.length;
    }
  };
  for (let i = 0; i < 3; i++) {
    parseOnly();
    fullPath();
  }
  const ratios: number[] = [];
  const rates: number[] = [];
  for (let run = 0; run < SIZES.parseRuns; run++) {
    // Interleaved, so drift in machine load hits both sides alike.
    const base = cpuMs(parseOnly);
    const full = cpuMs(fullPath);
    ratios.push(full / base);
    rates.push(events / (full / 1000));
  }
  if (sink < 0) log('unreachable');
  return { parseRatio: figure(ratios), eventsPerSecond: figure(rates, 0), events };
}

// --- Over the emulators: one batch, and message-to-alert latency ------------------------------
async function measurePipeline(): Promise<{ batchMs: Figure; alertLatencyP50Ms: Figure; alertLatencyP95Ms: Figure }> {
  const [dynamodbEmulator, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  try {
    useEmulators(emulatorEndpoints(dynamodbEmulator, fauxqs));
    const sqs = new SQSClient({});
    const settings = pipelineSettings();
    const pipeline = await provisionPipeline({ dynamodb: new DynamoDBClient({}), sqs, sns: new SNSClient({}) }, settings, 'bench', {
      visibilityTimeoutSeconds: 2,
    });
    const config = readDetectConfig({ DEDUP_TABLE_NAME: pipeline.tableName, ALERT_TOPIC_ARN: pipeline.topicArn, DEAD_LETTER_QUEUE_URL: pipeline.dlqUrl });
    const handler = createDetectionHandler({ config, telemetry: SILENT_TELEMETRY });
    const drainSubscriber = async (wait: number) =>
      (await receiveAndDelete(sqs, pipeline.subscriberUrl, { waitSeconds: wait, attributes: false })).map((m) => alertFromSubscriberMessage(m.Body ?? '{}'));

    // One invocation: 10 messages x 100 events, 1% matching (10 alerts, distinct actors).
    const batchTimes: number[] = [];
    for (let run = -1; run < SIZES.batchRuns; run++) {
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
    for (let run = 0; run < SIZES.latencyRuns; run++) {
      const sentAt = new Map<string, number>();
      const latencies: number[] = [];
      let stop = false;
      const consumer = (async () => {
        while (!stop) await pollOnce(sqs, pipeline.queueUrl, handler, { batchSize: settings.detect.batchSize, waitSeconds: 1 });
      })();
      const subscriber = (async () => {
        while (latencies.length < SIZES.latencyAlerts) {
          for (const alert of await drainSubscriber(1)) {
            const sent = sentAt.get(alert.eventId ?? '');
            if (sent !== undefined) latencies.push(performance.now() - sent);
          }
        }
      })();
      for (let i = 0; i < SIZES.latencyAlerts; i++) {
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

// --- The webhook over HTTP on 127.0.0.1: signed requests of 100 events, 4 in flight ------------
async function measureWebhook(): Promise<{ eventsPerSecond: Figure; p50Ms: Figure; p95Ms: Figure }> {
  const [dynamodbEmulator, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  try {
    useEmulators(emulatorEndpoints(dynamodbEmulator, fauxqs));
    const sqs = new SQSClient({});
    const dynamodb = new DynamoDBClient({});
    const pipeline = await provisionPipeline({ dynamodb, sqs, sns: new SNSClient({}) }, pipelineSettings(), 'bench-webhook');
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
      for (let run = -1; run < SIZES.webhookRuns; run++) {
        const bodies = Array.from({ length: SIZES.webhookRequests }, (_, i) =>
          Buffer.from(JSON.stringify(syntheticEvents(WEBHOOK_EVENTS_PER_REQUEST, { matchingRate: 0.01, runId: `wh${run}-${i}` }))),
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
              headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signWebhook(key, id, timestamp, body) },
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

// --- The bundle: size and cold start ------------------------------------------------------------
async function measureBundle(): Promise<{ bundleBytes: number; eagerBytes: number; lazyOnly: string[]; coldStartMs: Figure; coldStartNonMatchingMs: Figure }> {
  // Same build as `npm run build`, in its own directory so a concurrent package is not disturbed.
  const { detect } = await buildFunctions(() => undefined, BENCH_DIST);
  if (!detect) throw new Error('no detect bundle');
  const outputs = Object.entries(detect.outputs).filter(([file]) => file.endsWith('.mjs'));
  const bundleBytes = outputs.reduce((sum, [file]) => sum + statSync(join(root, file)).size, 0);
  // What loads at start: the entry and the chunks it imports statically, transitively.
  const eager = new Set<string>();
  const visit = (file: string) => {
    if (eager.has(file)) return;
    eager.add(file);
    for (const dependency of detect.outputs[file]?.imports ?? []) {
      if (dependency.kind === 'import-statement' && detect.outputs[dependency.path]) visit(dependency.path);
    }
  };
  visit(`${BENCH_DIST}/detect/index.mjs`);
  const eagerBytes = [...eager].reduce((sum, file) => sum + statSync(join(root, file)).size, 0);
  const eagerInputs = [...eager].flatMap((file) => Object.keys(detect.outputs[file]?.inputs ?? {}));
  const lazyOnly = ['@aws-sdk/client-dynamodb', '@aws-sdk/client-sns', '@aws-sdk/client-sqs'].filter((pkg) => !eagerInputs.some((input) => input.includes(`node_modules/${pkg}/`)));

  const env = {
    PATH: process.env.PATH,
    DEDUP_TABLE_NAME: 'bench',
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:bench',
    DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/bench',
    POWERTOOLS_METRICS_DISABLED: 'true',
    LOG_LEVEL: 'ERROR',
  };
  const entry = join(root, BENCH_DIST, 'detect/index.mjs');
  const nonMatching = JSON.stringify({ Records: [{ messageId: 'm', body: JSON.stringify(syntheticEvents(100, { matchingRate: 0, runId: 'cold' })) }] });
  const scripts = {
    bare: '0',
    load: `await import(${JSON.stringify(entry)})`,
    invoke: `const m = await import(${JSON.stringify(entry)}); const r = await m.handler(${nonMatching}, { awsRequestId: 'r', getRemainingTimeInMillis: () => 30000 }); if (r.batchItemFailures.length) process.exit(1);`,
  };
  const time = (script: string) => {
    const start = performance.now();
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`cold start script failed: ${script.slice(0, 80)}`);
    return performance.now() - start;
  };
  const load: number[] = [];
  const invoke: number[] = [];
  for (let run = 0; run < SIZES.coldRuns; run++) {
    const bare = time(scripts.bare);
    load.push(time(scripts.load) - bare);
    invoke.push(time(scripts.invoke) - bare);
  }
  return { bundleBytes, eagerBytes, lazyOnly, coldStartMs: figure(load, 1), coldStartNonMatchingMs: figure(invoke, 1) };
}

log('measuring the non-I/O path...');
const parsing = measureParsing();
log('measuring over the emulators...');
const pipeline = await measurePipeline();
log('measuring the webhook over HTTP...');
const webhook = await measureWebhook();
log('building and measuring the bundle...');
const bundle = await measureBundle();

const result = {
  parseRatio: parsing.parseRatio,
  eventsPerSecond: parsing.eventsPerSecond,
  batchMs: pipeline.batchMs,
  alertLatencyP50Ms: pipeline.alertLatencyP50Ms,
  alertLatencyP95Ms: pipeline.alertLatencyP95Ms,
  webhookEventsPerSecond: webhook.eventsPerSecond,
  webhookLatencyP50Ms: webhook.p50Ms,
  webhookLatencyP95Ms: webhook.p95Ms,
  bundleBytes: bundle.bundleBytes,
  coldStartMs: bundle.coldStartMs,
  coldStartNonMatchingMs: bundle.coldStartNonMatchingMs,
  meta: {
    node: process.version,
    quick: args.quick === true,
    parseEvents: parsing.events,
    runs: SIZES,
    webhook: { eventsPerRequest: WEBHOOK_EVENTS_PER_REQUEST, concurrency: WEBHOOK_CONCURRENCY },
    eagerBundleBytes: bundle.eagerBytes,
    loadedOnlyOnMatch: bundle.lazyOnly,
  },
};

if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  const row = (name: string, value: Figure | number, unit: string, goal = '') =>
    typeof value === 'number'
      ? `${name.padEnd(24)}${String(value).padStart(12)} ${unit.padEnd(10)}${goal}`
      : `${name.padEnd(24)}${String(value.median).padStart(12)} ${unit.padEnd(10)}(min ${value.min}, max ${value.max})${goal ? `  ${goal}` : ''}`;
  process.stdout.write(
    [
      `openai-audit-alerts benchmark (${process.version}${args.quick ? ', quick' : ''})`,
      row('parseRatio', result.parseRatio, 'x', 'goal <= 1.25, floor 1.0'),
      row('eventsPerSecond', result.eventsPerSecond, 'events/s'),
      row('batchMs', result.batchMs, 'ms'),
      row('alertLatencyP50Ms', result.alertLatencyP50Ms, 'ms'),
      row('alertLatencyP95Ms', result.alertLatencyP95Ms, 'ms'),
      row('webhookEventsPerSecond', result.webhookEventsPerSecond, 'events/s', `(${WEBHOOK_EVENTS_PER_REQUEST} events a request, ${WEBHOOK_CONCURRENCY} in flight)`),
      row('webhookLatencyP50Ms', result.webhookLatencyP50Ms, 'ms'),
      row('webhookLatencyP95Ms', result.webhookLatencyP95Ms, 'ms'),
      row('bundleBytes', result.bundleBytes, 'bytes', `(${bundle.eagerBytes} loaded at start)`),
      row('coldStartMs', result.coldStartMs, 'ms'),
      row('coldStartNonMatchingMs', result.coldStartNonMatchingMs, 'ms'),
      `loaded only when a match needs them: ${bundle.lazyOnly.join(', ') || 'none'}`,
      '',
    ].join('\n'),
  );
}
