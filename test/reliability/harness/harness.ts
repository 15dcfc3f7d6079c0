// The reliability harness: runs a scenario against the real handler, real SDK clients and the
// emulators, then checks the promises with the oracle (oracle.ts): every alerting window alerted,
// by content; the highest severity of every window heard; no duplicate delivery except after a
// worker died between publishing and marking sent (same alert id, same content); every window
// item counting each event once; the DLQ holding exactly what it must.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient, type Message } from '@aws-sdk/client-sqs';
import { readDetectConfig } from '../../../lib/config/detect-config.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../../lib/detection/openai/constants.ts';
import { createRuleCatalog } from '../../../lib/detection/rules/create-rule-catalog.ts';
import { buildAlert } from '../../../lib/pipeline/alerts/alert-document.ts';
import { fitAlert } from '../../../lib/pipeline/alerts/sns-message.ts';
import { DynamoDedupStore } from '../../../lib/pipeline/dedup/dynamodb-dedup-store.ts';
import { createDetectionHandler } from '../../../lib/pipeline/detect/create-handler.ts';
import type { JsonObject } from '../../../lib/shared/json.ts';
import { emulatorEndpoints, startDynalite, startFauxqs, useEmulators } from '../../../lib/tooling/local/emulators.ts';
import {
  alertFromSubscriberMessage,
  drainQueue,
  pollOnce,
  queueDepth,
} from '../../../lib/tooling/local/event-source.ts';
import { localTelemetry } from '../../../lib/tooling/local/local-telemetry.ts';
import { provisionPipeline, type LocalPipeline } from '../../../lib/tooling/local/provision.ts';
import { sendMessages } from '../../../lib/ingestion/packing/queue-sink.ts';
import { pipelineSettings } from '../../../lib/tooling/local/settings.ts';
import { messageBodies, syntheticEvents } from '../../../lib/tooling/local/synthetic-events.ts';
import {
  awsError,
  injectFaults,
  injectRandomFaults,
  seededRandom,
  type FaultCounts,
  type FaultRates,
} from './faults.ts';
import {
  checkDeliveries,
  checkWindowItems,
  expectCorrelationWindows,
  expectWindows,
  windowAlerts,
  type ExpectedCorrelations,
  type ExpectedWindows,
} from './oracle.ts';

/**
 * Where a worker process is killed (SIGKILL), relative to the dedup protocol; `function-timeout`
 * is Lambda's own kill: a publish hangs past the function timeout and the watchdog kills the worker.
 */
export type KillPoint =
  'before-window-write' | 'between-write-and-publish' | 'after-publish-before-mark-sent' | 'function-timeout';

/** One scenario. Sizes are per phase. */
export interface ScenarioSpec {
  readonly name: string;
  readonly description: string;
  readonly events: number;
  readonly perMessage: number;
  readonly matchingRate: number;
  /** Distinct actors of matching events: fewer actors, more contention on the same windows. */
  readonly actors: number;
  /** Handler instances consuming the queue at once (in this process). */
  readonly consumers: number;
  /** Phases, each one dedup period later in event time than the one before, with the same actors. */
  readonly phases?: number;
  readonly faults?: { readonly dynamodb?: FaultRates; readonly sns?: FaultRates };
  /** Fraction of messages delivered twice. */
  readonly duplicateRate?: number;
  readonly shuffle?: boolean;
  /** Poison messages mixed in (each must end in the DLQ). */
  readonly poison?: number;
  /** Worker processes (instead of in-process consumers) and where each successive one is killed. */
  readonly kills?: { readonly workers: number; readonly points: readonly KillPoint[] };
  /** Every n-th matching event is HIGH instead of MEDIUM: windows escalate. */
  readonly highEvery?: number;
  /**
   * Fraction of events that are logins of `loginAccounts` accounts: failures from a few source IPs
   * and successes, for the distinct-count threshold (credential stuffing) and the correlation
   * (brute force followed by a success), with its state in DynamoDB.
   */
  readonly loginRate?: number;
  readonly loginAccounts?: number;
  /** Event times of a phase spread over this many seconds (a backfill), in random arrival order when shuffled. */
  readonly spreadSeconds?: number;
  /**
   * Publishing trouble: `fail-first` fails the first publish of every alert id; `outage` fails
   * every publish of the first phase (longer than the records' receives), then SNS recovers.
   */
  readonly publish?: 'fail-first' | 'outage';
  /** Lease of runs without an invocation deadline (in-process consumers), seconds; default 5. */
  readonly leaseSeconds?: number;
  /** The queue's visibility timeout, seconds; default 3 in-process, 10 for worker processes. */
  readonly visibilitySeconds?: number;
  /** After the run, a redrive two days later: every message of the first phase is sent again. */
  readonly redrive?: boolean;
  /** After the run, the DLQ's letters are moved back to the queue and processed (they must be processable). */
  readonly redriveDeadLetters?: boolean;
  /** Before the events arrive, the first window of every actor is left pending by a publisher that died weeks ago. */
  readonly stalePending?: boolean;
}

/** What a scenario did, and whether the promises held. */
export interface ScenarioResult {
  readonly name: string;
  readonly events: number;
  /** Windows that must alert. */
  readonly expectedAlerts: number;
  /** Unique alert ids received by the subscriber (first alerts and escalations). */
  readonly delivered: number;
  readonly escalations: number;
  readonly lost: number;
  /** Extra deliveries of an alert id already received. */
  readonly duplicates: number;
  /** Of those, the ones after a worker died between publishing and marking sent. */
  readonly allowedDuplicates: number;
  readonly dlq: number;
  readonly expectedDlq: number;
  /** Record deliveries that failed and were retried by SQS. */
  readonly retries: number;
  readonly kills: number;
  readonly faults: FaultCounts;
  readonly seconds: number;
  readonly problems: readonly string[];
}

/** Emulators and clients shared by the scenarios of one run. */
export interface ReliabilityEnv {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  stop(): Promise<void>;
}

const DEFAULT_LEASE_SECONDS = 5;
const IN_PROCESS_VISIBILITY_SECONDS = 3;
/** Worker processes: the function timeout (watchdog) and a visibility timeout above timeout + lease margin. */
const WORKER_TIMEOUT_SECONDS = 4;
const WORKER_VISIBILITY_SECONDS = 10;
/**
 * A run is stuck only when nothing moves for this long: no deadline on the whole run, so a slow,
 * loaded machine only makes it slower, never failed.
 */
const STALL_MS = 120_000;
const DAY = 86_400;
const EVENT_START = 1_732_430_000;

const POISON: readonly string[] = [
  'not json at all',
  '{"truncated": ',
  '{"hello":"world"}',
  '[1, 2, 3]',
  JSON.stringify({ type: 'api_key.created', 'api_key.created': { data: { scopes: ['all'] } } }),
  JSON.stringify({ Type: 'Notification', Message: '{broken' }),
  `${'['.repeat(3000)}${']'.repeat(3000)}`,
  'x'.repeat(200_000),
];

/** Starts dynalite and fauxqs for a run and points this process's SDK at them. */
export async function startReliabilityEnv(): Promise<ReliabilityEnv> {
  const [dynamodbEmulator, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  useEmulators(emulatorEndpoints(dynamodbEmulator, fauxqs));
  const clients = { sqs: new SQSClient({}), dynamodb: new DynamoDBClient({}), sns: new SNSClient({}) };
  return {
    ...clients,
    stop: async () => {
      Object.values(clients).forEach((client) => client.destroy());
      await Promise.all([dynamodbEmulator.stop(), fauxqs.stop()]);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the queue is empty (twice in a row); false if nothing moved for {@link STALL_MS}. */
async function waitUntilDrained(
  env: ReliabilityEnv,
  queueUrl: string,
  done: () => boolean = () => false,
): Promise<boolean> {
  let last = -1;
  let progress = Date.now();
  for (let empty = 0; empty < 2;) {
    if (done()) return true;
    const depth = await queueDepth(env.sqs, queueUrl);
    if (depth !== last) progress = Date.now();
    if (Date.now() - progress > STALL_MS) return false;
    last = depth;
    empty = depth === 0 ? empty + 1 : 0;
    await sleep(250);
  }
  return true;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

const noFaults = (): FaultCounts => ({ throttle: 0, serverError: 0, timeout: 0, connectionReset: 0, responseLost: 0 });

function addFaults(into: FaultCounts, from: FaultCounts): void {
  for (const key of Object.keys(into) as Array<keyof FaultCounts>) into[key] += from[key];
}

interface RunContext {
  readonly spec: ScenarioSpec;
  readonly pipeline: LocalPipeline;
  readonly env: ReliabilityEnv;
  readonly clock: () => number;
  readonly random: () => number;
  readonly faults: FaultCounts;
  /** Whether SNS refuses every publish now (an outage). */
  readonly snsDown: () => boolean;
}

/** Deterministic publish trouble of a scenario (random faults come on top). */
function publishFault(ctx: RunContext): (command: string, input: Record<string, unknown>) => Error | undefined {
  const seen = new Set<string>();
  return (command, input) => {
    if (command !== 'PublishCommand') return undefined;
    if (ctx.snsDown()) return awsError('KMSDisabledException', 400);
    const id =
      (input as { MessageAttributes?: Record<string, { StringValue?: string }> }).MessageAttributes?.alert_id
        ?.StringValue ?? '';
    if (ctx.spec.publish === 'fail-first' && !seen.has(id)) {
      seen.add(id);
      return awsError('InternalErrorException', 500);
    }
    return undefined;
  };
}

async function runConsumers(ctx: RunContext): Promise<{ retries: number; drained: boolean }> {
  const { spec, pipeline, env } = ctx;
  const settings = pipelineSettings();
  const telemetries = Array.from({ length: spec.consumers }, () => localTelemetry('ERROR', () => undefined));
  const counters: FaultCounts[] = [];
  const handlers = telemetries.map((telemetry) => {
    const config = readDetectConfig({
      DEDUP_TABLE_NAME: pipeline.tableName,
      ALERT_TOPIC_ARN: pipeline.topicArn,
      DEAD_LETTER_QUEUE_URL: pipeline.dlqUrl,
      DEDUP_LEASE_SECONDS: String(spec.leaseSeconds ?? DEFAULT_LEASE_SECONDS),
      MAX_RECEIVE_COUNT: String(settings.queue.maxReceiveCount),
    });
    // Each consumer is its own "container": its own clients, each with its own faults.
    const dynamodb = new DynamoDBClient({});
    const sns = injectFaults(new SNSClient({}), publishFault(ctx));
    if (spec.faults?.dynamodb) counters.push(injectRandomFaults(dynamodb, spec.faults.dynamodb, ctx.random));
    if (spec.faults?.sns) counters.push(injectRandomFaults(sns, spec.faults.sns, ctx.random));
    return createDetectionHandler({
      config,
      telemetry,
      clock: ctx.clock,
      clients: {
        dynamodb: () => Promise.resolve(dynamodb),
        sns: () => Promise.resolve(sns),
        sqs: () => Promise.resolve(new SQSClient({})),
      },
    });
  });
  let stop = false;
  const loops = handlers.map(async (handler) => {
    while (!stop) {
      const { received } = await pollOnce(env.sqs, pipeline.queueUrl, handler, {
        batchSize: settings.detect.batchSize,
        waitSeconds: 0,
      });
      if (received === 0) await sleep(25);
    }
  });
  const drained = await waitUntilDrained(env, pipeline.queueUrl);
  stop = true;
  await Promise.all(loops);
  counters.forEach((counts) => addFaults(ctx.faults, counts));
  return { retries: telemetries.reduce((sum, t) => sum + t.counted('RecordsFailed'), 0), drained };
}

/**
 * Runs worker processes: first only workers that carry a kill plan (each dies at its first chance
 * to reach its point, and is replaced by the next planned one), so every planned kill happens; then
 * plain workers recover the rest by redelivery, until the queue is drained.
 */
async function runWorkers(ctx: RunContext, files: { killLog: string; stats: string }): Promise<{ drained: boolean }> {
  const { spec, pipeline, env } = ctx;
  const plans = [...(spec.kills?.points ?? [])];
  const planned = plans.length;
  const active = new Set<ChildProcess>();
  let stopping = false;
  const killsSoFar = () => readKills(files.killLog).filter((kill) => kill.planned).length;
  const start = (point: KillPoint | undefined) => {
    const config = {
      queueUrl: pipeline.queueUrl,
      tableName: pipeline.tableName,
      topicArn: pipeline.topicArn,
      dlqUrl: pipeline.dlqUrl,
      functionTimeoutSeconds: WORKER_TIMEOUT_SECONDS,
      visibilityTimeoutSeconds: spec.visibilitySeconds ?? WORKER_VISIBILITY_SECONDS,
      maxReceiveCount: pipelineSettings().queue.maxReceiveCount,
      kill: point === undefined ? undefined : { point, occurrence: 1 },
      ...files,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'worker.ts')], {
      env: { ...process.env, RELIABILITY_WORKER: JSON.stringify(config) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    active.add(child);
    child.on('exit', () => {
      active.delete(child);
      if (!stopping && plans.length > 0) start(plans.shift());
    });
  };
  const workers = spec.kills?.workers ?? 1;
  for (let i = 0; i < workers && plans.length > 0; i++) start(plans.shift());
  // Until every planned kill has happened (or the queue drained without giving the chance).
  await waitUntilDrained(env, pipeline.queueUrl, () => killsSoFar() >= planned);
  // Plain workers finish the work, recovering what the dead left.
  for (let i = 0; i < workers; i++) start(undefined);
  const drained = await waitUntilDrained(env, pipeline.queueUrl);
  stopping = true;
  await Promise.all(
    [...active].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  return { drained };
}

/** Leaves the first window of every dedup key pending, as a publisher that died weeks ago would have. */
async function seedStalePending(events: readonly JsonObject[], ctx: RunContext): Promise<void> {
  const catalog = createRuleCatalog();
  const longAgo = ctx.clock() - 20 * DAY;
  const store = new DynamoDedupStore({
    client: ctx.env.dynamodb,
    tableName: ctx.pipeline.tableName,
    clock: () => longAgo,
  });
  const seeded = new Set<string>();
  for (const event of events) {
    for (const match of catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event).matches) {
      if (seeded.has(match.dedup)) continue;
      seeded.add(match.dedup);
      await store.claim({
        dedupKey: match.dedup,
        ruleId: match.rule.id,
        eventId: match.eventId ?? '',
        eventTime: match.eventTime,
        windowSeconds: Math.round(match.rule.dedupPeriodMinutes * 60),
        threshold: match.rule.threshold,
        severity: match.severity,
        leaseUntil: longAgo + 5,
        render: (window) => JSON.stringify(fitAlert(buildAlert(match, window, OPENAI_AUDIT_LOG_TYPE, longAgo))),
      });
    }
  }
}

interface Kill {
  readonly point: KillPoint;
  readonly planned: boolean;
  readonly publishedNotMarked: readonly string[];
}

function readKills(file: string): Kill[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Kill);
}

async function scanTable(env: ReliabilityEnv, tableName: string): Promise<Array<Record<string, AttributeValue>>> {
  const items: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await env.dynamodb.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Runs one scenario on freshly provisioned resources and checks the promises.
 *
 * @example
 * ```ts
 * const env = await startReliabilityEnv();
 * const result = await runScenario(scenarios()[0], env, 1);
 * ```
 */
export async function runScenario(spec: ScenarioSpec, env: ReliabilityEnv, seed: number): Promise<ScenarioResult> {
  const started = Date.now();
  const random = seededRandom(seed);
  const settings = pipelineSettings();
  const id = `${spec.name}-${seed}-${Math.floor(random() * 1e6)}`;
  const pipeline = await provisionPipeline(env, settings, `rel-${id}`.slice(0, 60), {
    visibilityTimeoutSeconds:
      spec.visibilitySeconds ?? (spec.kills ? WORKER_VISIBILITY_SECONDS : IN_PROCESS_VISIBILITY_SECONDS),
  });
  const catalog = createRuleCatalog();
  // Phases are a dedup period apart in event time: the longest period of the registered rules.
  const period = Math.max(...catalog.rules.map((rule) => Math.round(rule.dedupPeriodMinutes * 60)));
  const workDir = mkdtempSync(join(tmpdir(), 'reliability-'));
  const files = { killLog: join(workDir, 'kills.jsonl'), stats: join(workDir, 'stats.jsonl') };
  writeFileSync(files.killLog, '');
  writeFileSync(files.stats, '');

  const base = Math.floor(Date.now() / 1000);
  let shift = 0;
  let outage = spec.publish === 'outage';
  const ctx: RunContext = {
    spec,
    pipeline,
    env,
    random,
    faults: noFaults(),
    // Time runs (leases expire); a redrive moves it days ahead.
    clock: () => base + shift + Math.floor((Date.now() - started) / 1000),
    snsDown: () => outage,
  };
  const windows: ExpectedWindows = new Map();
  const correlations: ExpectedCorrelations = new Map();
  let retries = 0;
  let events = 0;
  let drained = true;
  const firstPhaseBodies: string[] = [];
  const earlyProblems: string[] = [];
  const run = async () => {
    if (spec.kills) {
      drained = (await runWorkers(ctx, files)).drained && drained;
    } else {
      const result = await runConsumers(ctx);
      retries += result.retries;
      drained = result.drained && drained;
    }
  };
  const phases = spec.phases ?? 1;
  for (let phase = 0; phase < phases; phase++) {
    const list = syntheticEvents(spec.events, {
      matchingRate: spec.matchingRate,
      runId: `${id}-p${phase}`,
      actorSet: id,
      matchingActors: spec.actors,
      startTime: EVENT_START + phase * period,
      spreadSeconds: spec.spreadSeconds,
      highEvery: spec.highEvery,
      loginRate: spec.loginRate,
      loginAccounts: spec.loginAccounts,
    });
    events += list.length;
    expectWindows(catalog, OPENAI_AUDIT_LOG_TYPE, list, ctx.clock(), windows, correlations);
    if (phase === 0 && spec.stalePending) await seedStalePending(list, ctx);
    let bodies = messageBodies(list, spec.perMessage);
    if (spec.duplicateRate) bodies = bodies.flatMap((b) => (random() < (spec.duplicateRate ?? 0) ? [b, b] : [b]));
    if (phase === 0) firstPhaseBodies.push(...bodies);
    if (phase === 0 && spec.poison)
      bodies.push(...Array.from({ length: spec.poison }, (_, i) => POISON[i % POISON.length] ?? 'poison'));
    if (spec.shuffle) bodies = shuffle(bodies, random);
    await sendMessages(env.sqs, pipeline.queueUrl, bodies);
    await run();
    outage = false; // an outage lasts the first phase, longer than its records' receives
  }
  // Correlations complete from all their steps, whichever phase and order they arrived in.
  expectCorrelationWindows(catalog, correlations, ctx.clock(), windows);
  const received: Message[] = [];
  if (spec.redriveDeadLetters) {
    // Before the redrive, every window must already be out: a window left pending by the outage is
    // published with its dedup key's next alert, not only when its letters come back.
    received.push(...(await drainQueue(env.sqs, pipeline.subscriberUrl, { attributes: false })));
    const before = checkDeliveries(
      windows,
      received.map((message) => alertFromSubscriberMessage(message.Body ?? '{}')),
    );
    if (before.lost > 0)
      earlyProblems.push(
        `${before.lost} window(s) still unpublished after their dedup key's next alert (published only once their letters were redriven)`,
      );
    // As `aws sqs start-message-move-task` would: every letter back to the queue, as it is. Each
    // must be processable now, or come back to the DLQ saying why not (the poison).
    const letters = await drainQueue(env.sqs, pipeline.dlqUrl);
    await sendMessages(
      env.sqs,
      pipeline.queueUrl,
      letters.map((m) => m.Body ?? ''),
    );
    await run();
  }
  if (spec.redrive) {
    shift += 2 * DAY;
    await sendMessages(env.sqs, pipeline.queueUrl, firstPhaseBodies);
    await run();
  }
  if (spec.kills)
    retries += readFileSync(files.stats, 'utf8')
      .split('\n')
      .filter(Boolean)
      .reduce((sum, line) => sum + (JSON.parse(line) as { failed: number }).failed, 0);

  // Alerts as the subscriber received them, checked by content.
  received.push(...(await drainQueue(env.sqs, pipeline.subscriberUrl, { attributes: false })));
  const check = checkDeliveries(
    windows,
    received.map((message) => alertFromSubscriberMessage(message.Body ?? '{}')),
  );
  const kills = readKills(files.killLog);
  // Every alert a dying worker had published but not yet marked sent (the one at the kill point, and
  // any other of its batch in flight at that instant) may be published once more, same id.
  const diedAfterPublish = new Map<string, number>();
  for (const kill of kills)
    for (const alertId of kill.publishedNotMarked)
      diedAfterPublish.set(alertId, (diedAfterPublish.get(alertId) ?? 0) + 1);
  let allowedDuplicates = 0;
  for (const [alertId, count] of check.copies)
    allowedDuplicates += Math.min(count - 1, diedAfterPublish.get(alertId) ?? 0);
  const dead = await drainQueue(env.sqs, pipeline.dlqUrl);
  const keptPoison = dead.filter((m) => m.MessageAttributes?.failure_kind?.StringValue === 'malformed-body').length;
  const items = await scanTable(env, pipeline.tableName);

  const problems: string[] = [...earlyProblems];
  if (!drained) problems.push(`the queue stopped draining (nothing moved for ${STALL_MS / 1000} s)`);
  problems.push(...check.problems);
  if (check.duplicates > allowedDuplicates)
    problems.push(
      `${check.duplicates - allowedDuplicates} duplicate delivery(ies) not explained by a death after publishing`,
    );
  if (keptPoison !== (spec.poison ?? 0) || dead.length !== keptPoison) {
    const kinds = dead.map((m) => m.MessageAttributes?.failure_kind?.StringValue ?? 'redrive').join(', ');
    problems.push(
      `DLQ holds ${dead.length} message(s) (${kinds || 'none'}); expected exactly the ${spec.poison ?? 0} poison message(s)`,
    );
  }
  const plannedKills = spec.kills?.points.length ?? 0;
  const plannedHappened = kills.filter((kill) => kill.planned).length;
  if (plannedHappened !== plannedKills)
    problems.push(`${plannedHappened} of ${plannedKills} planned worker kill(s) happened`);
  problems.push(...checkWindowItems(windows, items).slice(0, 10));
  return {
    name: spec.name,
    events,
    expectedAlerts: [...windows.values()].filter(windowAlerts).length,
    delivered: check.delivered,
    escalations: check.escalations,
    lost: check.lost,
    duplicates: check.duplicates,
    allowedDuplicates,
    dlq: dead.length,
    expectedDlq: spec.poison ?? 0,
    retries,
    kills: kills.length,
    faults: ctx.faults,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    problems,
  };
}
