// The reliability harness: runs a scenario against the real handler, real SDK clients and the
// emulators, then checks the promises with the oracle (oracle.ts): every alerting window alerted,
// by content; the highest severity of every window heard; no duplicate delivery except after a
// worker died between publishing and marking sent (same alert id, same content); every window
// item counting each event once; the DLQ holding exactly what it must.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { readArchivedEvents } from '../../../lib/archive/read-events.ts';
import { S3ArchiveStore } from '../../../lib/archive/s3-store.ts';
import { readDetectConfig } from '../../../lib/config/detect-config.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../../lib/detection/openai/constants.ts';
import { createRuleCatalog } from '../../../lib/detection/rules/create-rule-catalog.ts';
import { buildAlert } from '../../../lib/pipeline/alerts/alert-document.ts';
import { fitAlert } from '../../../lib/pipeline/alerts/sns-message.ts';
import { DynamoDedupStore } from '../../../lib/pipeline/dedup/dynamodb-dedup-store.ts';
import { placeInWindow } from '../../../lib/pipeline/dedup/window.ts';
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
  expectBaselineWindows,
  expectCorrelationWindows,
  expectWindows,
  windowAlerts,
  type ExpectedBaselines,
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
  /** Phases, each one dedup period (or `phaseSeconds`) later in event time than the one before, with the same actors. */
  readonly phases?: number;
  /** Event time between two phases' starts (default: the longest dedup period of the catalog). */
  readonly phaseSeconds?: number;
  /** From this phase on, every session comes from another country and ASN (FR, 64501): first-seen baselines alert. */
  readonly newSourceFromPhase?: number;
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
  /** After each successful login, an admin API key created by the account (the takeover chain after a brute force). */
  readonly adminKeyAfterLogin?: boolean;
  /** Event times of a phase spread over this many seconds (a backfill), in random arrival order when shuffled. */
  readonly spreadSeconds?: number;
  /**
   * Publishing trouble: `fail-first` fails the first publish of every alert id; `outage` fails
   * every publish of the first phase (longer than the records' receives), then SNS recovers.
   */
  readonly publish?: 'fail-first' | 'outage';
  /** Lease of runs without an invocation deadline (in-process consumers), simulated seconds; default 5. */
  readonly leaseSeconds?: number;
  /** The queue's visibility timeout, simulated seconds; default 3 in-process, 10 for worker processes. */
  readonly visibilitySeconds?: number;
  /** After the run, a redrive two days later: every message of the first phase is sent again. */
  readonly redrive?: boolean;
  /** After the run, the DLQ's letters are moved back to the queue and processed (they must be processable). */
  readonly redriveDeadLetters?: boolean;
  /** Before the events arrive, the first window of every actor is left pending by a publisher that died weeks ago. */
  readonly stalePending?: boolean;
  /**
   * Every invocation starts this many milliseconds of real time late, as on a loaded machine: longer
   * than the visibility timeout or the function timeout, it must change nothing.
   */
  readonly invocationDelayMs?: number;
}

/** What a scenario did, and whether the promises held. */
export interface ScenarioResult {
  readonly name: string;
  readonly events: number;
  /** Windows that must alert. */
  readonly expectedAlerts: number;
  /** Of those, the windows of first-seen baseline rules. */
  readonly expectedFirstSeen: number;
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
/** Worker processes: the function timeout and a visibility timeout above timeout + lease margin. */
const WORKER_TIMEOUT_SECONDS = 4;
const WORKER_VISIBILITY_SECONDS = 10;
/**
 * The queue's own visibility timeout: SQS's longest, so that the emulator never returns a message
 * by itself. The harness plays the scenario's visibility timeout in simulated time (runRounds).
 */
const HELD_SECONDS = 43_200;
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

/**
 * What one poll did: how many records it received and the receipt handles of those that failed, or
 * that its consumer died with them in hand.
 */
type PollOutcome =
  | { readonly received: number; readonly failed: readonly string[] }
  | { readonly died: true; readonly inFlight: readonly string[] };

/**
 * Lambda's SQS event source, with the visibility timeout in simulated time, so that nothing in a
 * run depends on how fast the machine is. A round lets the consumers poll until nothing is
 * visible: every message is then deleted, or failed or held by a consumer that died (its receipt
 * handle parked). Only then, with no invocation running, does time move, by the visibility
 * timeout, and the parked messages become visible again, as SQS would return them. So a message
 * comes back only because its invocation failed or died, never because the machine was slow; a
 * lease is never overtaken while its holder runs; and when a worker's messages come back, every
 * lease of its invocations (its deadline plus the margin, below the visibility timeout) has ended.
 * Rounds go on until one parks nothing, or `enough()` says so (the messages parked last are
 * visible again for what comes next).
 */
async function runRounds(
  ctx: RunContext,
  visibilitySeconds: number,
  round: (park: (receiptHandles: readonly string[]) => void) => Promise<void>,
  enough: () => boolean = () => false,
): Promise<void> {
  for (;;) {
    const parked: string[] = [];
    await round((receiptHandles) => parked.push(...receiptHandles));
    if (parked.length === 0) return;
    ctx.advance(visibilitySeconds);
    for (const receiptHandle of parked) {
      await ctx.env.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: ctx.pipeline.queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    if (enough()) return;
  }
}

/** Problems when messages are left on the queue after the rounds, in no consumer's hands. */
async function leftOnQueue(ctx: RunContext): Promise<string[]> {
  const depth = await queueDepth(ctx.env.sqs, ctx.pipeline.queueUrl);
  return depth === 0 ? [] : [`the queue still holds ${depth} message(s) after the run`];
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
  /** Simulated time, Unix seconds: it moves only between rounds (runRounds) and for a redrive. */
  readonly clock: () => number;
  readonly advance: (seconds: number) => void;
  readonly random: () => number;
  readonly faults: FaultCounts;
  /** Whether SNS refuses every publish now (an outage). */
  readonly snsDown: () => boolean;
  /** The event archive's bucket (in the emulator's S3): every event received must be read back once. */
  readonly archiveBucket: string;
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

/**
 * The archive's promise: every event received is read back exactly once (whatever was redelivered,
 * retried or duplicated on the way), and nothing else is.
 */
async function checkArchive(s3: S3Client, bucket: string, sent: ReadonlySet<string>): Promise<string[]> {
  const problems: string[] = [];
  const reading = readArchivedEvents(new S3ArchiveStore(s3, bucket), {
    from: new Date(0),
    to: new Date('2100-01-01T00:00:00Z'),
    onProblem: (problem) => problems.push(`archive: ${problem.key}: ${problem.reason}`),
  });
  const read = new Set<string>();
  for await (const event of reading) {
    const id = typeof event.id === 'string' ? event.id : JSON.stringify(event.id);
    if (read.has(id)) problems.push(`archive: event ${id} read twice`);
    read.add(id);
  }
  const missing = [...sent].filter((id) => !read.has(id));
  const extra = [...read].filter((id) => !sent.has(id));
  if (missing.length > 0)
    problems.push(`archive: ${missing.length} event(s) received but not archived, e.g. ${missing[0]}`);
  if (extra.length > 0) problems.push(`archive: ${extra.length} event(s) archived but never sent, e.g. ${extra[0]}`);
  return problems;
}

async function runConsumers(ctx: RunContext): Promise<{ retries: number; problems: string[] }> {
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
      ARCHIVE_BUCKET: ctx.archiveBucket,
    });
    // Each consumer is its own "container": its own clients, each with its own faults.
    const dynamodb = new DynamoDBClient({});
    const sns = injectFaults(new SNSClient({}), publishFault(ctx));
    if (spec.faults?.dynamodb) counters.push(injectRandomFaults(dynamodb, spec.faults.dynamodb, ctx.random));
    if (spec.faults?.sns) counters.push(injectRandomFaults(sns, spec.faults.sns, ctx.random));
    const handler = createDetectionHandler({
      config,
      telemetry,
      clock: ctx.clock,
      clients: {
        dynamodb: () => Promise.resolve(dynamodb),
        sns: () => Promise.resolve(sns),
        sqs: () => Promise.resolve(new SQSClient({})),
      },
    });
    const delay = spec.invocationDelayMs ?? 0;
    return delay === 0
      ? handler
      : async (records: Parameters<typeof handler>[0]) => {
          await new Promise((resolve) => setTimeout(resolve, delay));
          return handler(records);
        };
  });
  const poll = async (handler: (typeof handlers)[number]): Promise<PollOutcome> => {
    const { received, failedReceiptHandles } = await pollOnce(env.sqs, pipeline.queueUrl, handler, {
      batchSize: settings.detect.batchSize,
      waitSeconds: 0,
    });
    return { received, failed: failedReceiptHandles };
  };
  await runRounds(ctx, spec.visibilitySeconds ?? IN_PROCESS_VISIBILITY_SECONDS, (park) =>
    Promise.all(
      handlers.map(async (handler) => {
        for (;;) {
          const outcome = await poll(handler);
          if ('died' in outcome) throw new Error('an in-process consumer cannot die');
          park(outcome.failed);
          if (outcome.received === 0) return;
        }
      }),
    ).then(() => undefined),
  );
  counters.forEach((counts) => addFaults(ctx.faults, counts));
  return {
    retries: telemetries.reduce((sum, t) => sum + t.counted('RecordsFailed'), 0),
    problems: await leftOnQueue(ctx),
  };
}

/** A worker process (worker.ts), driven over IPC: one poll at a time, at the simulated time given. */
interface WorkerProcess {
  poll(now: number): Promise<PollOutcome>;
  stop(): Promise<void>;
}

/** What a worker answers to a poll (worker.ts). */
interface WorkerAnswer {
  readonly ready?: true;
  readonly received?: number;
  readonly failed?: readonly string[];
}

function startWorker(config: Record<string, unknown> & { inFlightFile: string }): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'worker.ts')], {
    env: { ...process.env, RELIABILITY_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Whatever the worker sends next (or its death), one at a time.
  const next = () =>
    new Promise<WorkerAnswer | undefined>((resolve) => {
      const onMessage = (answer: WorkerAnswer) => {
        child.off('exit', onExit);
        resolve(answer);
      };
      const onExit = () => {
        child.off('message', onMessage);
        resolve(undefined);
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = next();
  let dead = false;
  const died = (): PollOutcome => {
    dead = true;
    // The batch it held when it died (worker.ts writes it before invoking the handler; none if it
    // died before it could poll).
    const held = existsSync(config.inFlightFile) ? readFileSync(config.inFlightFile, 'utf8') : '';
    return { died: true, inFlight: JSON.parse(held || '[]') as string[] };
  };
  return {
    async poll(now) {
      if (dead || (await ready) === undefined) return died();
      const answer = next();
      child.send({ now });
      const result = await answer;
      if (result === undefined) return died();
      return { received: result.received ?? 0, failed: result.failed ?? [] };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.send({ stop: true });
      await exited;
    },
  };
}

/**
 * Runs worker processes: first only workers that carry a kill plan (each dies at its first chance
 * to reach its point, and is replaced by the next planned one), so every planned kill happens; then
 * plain workers recover the rest by redelivery, until nothing is left.
 */
async function runWorkers(
  ctx: RunContext,
  workDir: string,
  killLog: string,
): Promise<{ retries: number; problems: string[] }> {
  const { spec, pipeline } = ctx;
  const plans = [...(spec.kills?.points ?? [])];
  const planned = plans.length;
  const live = new Set<WorkerProcess>();
  let retries = 0;
  let started = 0;
  const start = (point: KillPoint | undefined) => {
    const worker = startWorker({
      queueUrl: pipeline.queueUrl,
      tableName: pipeline.tableName,
      topicArn: pipeline.topicArn,
      dlqUrl: pipeline.dlqUrl,
      archiveBucket: ctx.archiveBucket,
      functionTimeoutSeconds: WORKER_TIMEOUT_SECONDS,
      visibilityTimeoutSeconds: spec.visibilitySeconds ?? WORKER_VISIBILITY_SECONDS,
      maxReceiveCount: pipelineSettings().queue.maxReceiveCount,
      kill: point === undefined ? undefined : { point, occurrence: 1 },
      invocationDelayMs: spec.invocationDelayMs ?? 0,
      killLog,
      inFlightFile: join(workDir, `in-flight-${++started}.json`),
    });
    live.add(worker);
    return worker;
  };
  // A worker polls until nothing is visible; one that dies is replaced by the next planned one.
  const work = async (worker: WorkerProcess, park: (receiptHandles: readonly string[]) => void): Promise<void> => {
    for (;;) {
      const outcome = await worker.poll(ctx.clock());
      if ('died' in outcome) {
        park(outcome.inFlight);
        live.delete(worker);
        const point = plans.shift();
        if (point !== undefined) await work(start(point), park);
        return;
      }
      retries += outcome.failed.length;
      park(outcome.failed);
      if (outcome.received === 0) return;
    }
  };
  const round = (park: (receiptHandles: readonly string[]) => void) =>
    Promise.all([...live].map((worker) => work(worker, park))).then(() => undefined);
  const visibility = spec.visibilitySeconds ?? WORKER_VISIBILITY_SECONDS;
  const workers = spec.kills?.workers ?? 1;
  for (let i = 0; i < workers && plans.length > 0; i++) start(plans.shift());
  // Until every planned kill has happened (or nothing is left to give the chance).
  await runRounds(ctx, visibility, round, () => readKills(killLog).filter((kill) => kill.planned).length >= planned);
  // Plain workers finish the work, recovering what the dead left.
  for (let i = 0; i < workers; i++) start(undefined);
  await runRounds(ctx, visibility, round);
  const problems = await leftOnQueue(ctx);
  await Promise.all([...live].map((worker) => worker.stop()));
  return { retries, problems };
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
      const { windowStart, windowEndsAt } = placeInWindow(
        match.eventTime,
        longAgo,
        Math.round(match.rule.dedupPeriodMinutes * 60),
      );
      await store.claimWindow({
        dedupKey: match.dedup,
        ruleId: match.rule.id,
        windowStart,
        windowEndsAt,
        threshold: match.rule.threshold,
        distinct: match.unique !== undefined,
        matches: [
          {
            eventId: match.eventId ?? '',
            severity: match.severity,
            ...(match.unique === undefined ? {} : { distinctValue: match.unique }),
          },
        ],
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
    visibilityTimeoutSeconds: HELD_SECONDS,
  });
  const archiveBucket = `rel-archive-${seed}-${Math.floor(random() * 1e9)}`;
  const s3 = new S3Client({});
  await s3.send(new CreateBucketCommand({ Bucket: archiveBucket }));
  const catalog = createRuleCatalog();
  // Phases are a dedup period apart in event time: the longest period of the registered rules.
  const period = Math.max(...catalog.rules.map((rule) => Math.round(rule.dedupPeriodMinutes * 60)));
  const workDir = mkdtempSync(join(tmpdir(), 'reliability-'));
  const killLog = join(workDir, 'kills.jsonl');
  writeFileSync(killLog, '');

  const base = Math.floor(Date.now() / 1000);
  let elapsed = 0;
  let outage = spec.publish === 'outage';
  const ctx: RunContext = {
    spec,
    pipeline,
    env,
    random,
    faults: noFaults(),
    // Simulated: it moves by the visibility timeout between rounds (leases expire), and days ahead
    // for a redrive; never while an invocation runs.
    clock: () => base + elapsed,
    advance: (seconds) => {
      elapsed += seconds;
    },
    snsDown: () => outage,
    archiveBucket,
  };
  const windows: ExpectedWindows = new Map();
  const baselines: ExpectedBaselines = new Map();
  const correlations: ExpectedCorrelations = new Map();
  let retries = 0;
  let events = 0;
  const sentIds = new Set<string>();
  const firstPhaseBodies: string[] = [];
  const earlyProblems: string[] = [];
  const run = async () => {
    const result = spec.kills ? await runWorkers(ctx, workDir, killLog) : await runConsumers(ctx);
    retries += result.retries;
    earlyProblems.push(...result.problems);
  };
  const phases = spec.phases ?? 1;
  for (let phase = 0; phase < phases; phase++) {
    const list = syntheticEvents(spec.events, {
      matchingRate: spec.matchingRate,
      runId: `${id}-p${phase}`,
      actorSet: id,
      matchingActors: spec.actors,
      startTime: EVENT_START + phase * (spec.phaseSeconds ?? period),
      ...(spec.newSourceFromPhase !== undefined && phase >= spec.newSourceFromPhase
        ? { source: { country: 'FR', asn: '64501' } }
        : {}),
      spreadSeconds: spec.spreadSeconds,
      highEvery: spec.highEvery,
      loginRate: spec.loginRate,
      loginAccounts: spec.loginAccounts,
      adminKeyAfterLogin: spec.adminKeyAfterLogin,
    });
    events += list.length;
    for (const event of list) if (typeof event.id === 'string') sentIds.add(event.id);
    expectWindows(catalog, OPENAI_AUDIT_LOG_TYPE, list, ctx.clock(), windows, correlations);
    expectBaselineWindows(catalog, OPENAI_AUDIT_LOG_TYPE, list, ctx.clock(), windows, baselines);
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
    ctx.advance(2 * DAY);
    await sendMessages(env.sqs, pipeline.queueUrl, firstPhaseBodies);
    await run();
  }
  // Alerts as the subscriber received them, checked by content.
  received.push(...(await drainQueue(env.sqs, pipeline.subscriberUrl, { attributes: false })));
  const check = checkDeliveries(
    windows,
    received.map((message) => alertFromSubscriberMessage(message.Body ?? '{}')),
  );
  const kills = readKills(killLog);
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
  problems.push(...(await checkArchive(s3, archiveBucket, sentIds)));
  s3.destroy();
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
    expectedFirstSeen: [...windows.values()].filter(
      (window) => windowAlerts(window) && catalog.getRule(window.ruleId)?.kind === 'baseline',
    ).length,
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
