// The reliability harness: runs a scenario against the real handler, real SDK clients and the
// emulators, then checks the promises: no alert lost, no window alerted twice, no duplicate
// delivery except after a worker died between publishing and marking sent (same alert id), every
// poison message kept in the DLQ and nothing else there.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readDetectConfig } from '../../config/detect-config.ts';
import { createDetectionHandler } from '../../pipeline/detect/create-handler.ts';
import { emulatorEndpoints, startDynalite, startFauxqs, useEmulators } from '../local/emulators.ts';
import { alertFromSubscriberMessage, drainQueue, pollOnce, queueDepth } from '../local/event-source.ts';
import { localTelemetry } from '../local/local-telemetry.ts';
import { provisionPipeline, type LocalPipeline } from '../local/provision.ts';
import { sendMessages } from '../../ingestion/packing/queue-sink.ts';
import { pipelineSettings } from '../local/settings.ts';
import { messageBodies, syntheticEvents } from '../local/synthetic-events.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../detection/openai/constants.ts';
import { createRuleCatalog } from '../../detection/rules/index.ts';
import { injectRandomFaults, seededRandom, type FaultCounts, type FaultRates } from './faults.ts';

/** Where a worker process is killed (SIGKILL), relative to the dedup protocol. */
export type KillPoint = 'before-window-write' | 'between-write-and-publish' | 'after-publish-before-mark-sent';

/** One scenario. Sizes are per clock phase. */
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
  /** Clock phases, one dedup period apart: 2 crosses a window boundary mid-run. */
  readonly phases?: number;
  readonly faults?: { readonly dynamodb?: FaultRates; readonly sns?: FaultRates };
  /** Fraction of messages delivered twice. */
  readonly duplicateRate?: number;
  readonly shuffle?: boolean;
  /** Poison messages mixed in (each must end in the DLQ). */
  readonly poison?: number;
  /** Worker processes (instead of in-process consumers) and where each successive one is killed. */
  readonly kills?: { readonly workers: number; readonly points: readonly KillPoint[] };
}

/** What a scenario did, and whether the promises held. */
export interface ScenarioResult {
  readonly name: string;
  readonly events: number;
  readonly expectedAlerts: number;
  /** Unique alert ids received by the subscriber. */
  readonly delivered: number;
  readonly lost: number;
  /** Extra deliveries of an alert id already received. */
  readonly duplicates: number;
  /** Of those, the ones after a worker died between publishing and marking sent. */
  readonly allowedDuplicates: number;
  /** Windows that got more than one alert id: never allowed. */
  readonly doubleAlertedWindows: number;
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

const HOUR = 3600;
const LEASE_SECONDS = 5;
/** Visibility timeout above the lease, as deployed (185 s over 60 s): one redelivery after a crash suffices. */
const VISIBILITY_SECONDS = 6;
const IN_PROCESS_VISIBILITY_SECONDS = 3;
const DEADLINE_MS = 180_000;

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

async function waitUntilDrained(env: ReliabilityEnv, queueUrl: string, deadline: number): Promise<boolean> {
  for (let empty = 0; empty < 2; ) {
    if (Date.now() > deadline) return false;
    empty = (await queueDepth(env.sqs, queueUrl)) === 0 ? empty + 1 : 0;
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

async function runConsumers(
  spec: ScenarioSpec,
  pipeline: LocalPipeline,
  env: ReliabilityEnv,
  clock: () => number,
  random: () => number,
  faults: FaultCounts,
  deadline: number,
): Promise<{ retries: number; drained: boolean }> {
  const settings = pipelineSettings();
  const telemetries = Array.from({ length: spec.consumers }, () => localTelemetry('ERROR', () => undefined));
  const counters: FaultCounts[] = [];
  const handlers = telemetries.map((telemetry) => {
    const config = readDetectConfig({
      DEDUP_TABLE_NAME: pipeline.tableName,
      ALERT_TOPIC_ARN: pipeline.topicArn,
      DEAD_LETTER_QUEUE_URL: pipeline.dlqUrl,
      DEDUP_LEASE_SECONDS: String(LEASE_SECONDS),
    });
    // Each consumer is its own "container": its own clients, each with its own faults.
    const dynamodb = new DynamoDBClient({});
    const sns = new SNSClient({});
    if (spec.faults?.dynamodb) counters.push(injectRandomFaults(dynamodb, spec.faults.dynamodb, random));
    if (spec.faults?.sns) counters.push(injectRandomFaults(sns, spec.faults.sns, random));
    return createDetectionHandler({
      config,
      telemetry,
      clock,
      clients: { dynamodb: () => Promise.resolve(dynamodb), sns: () => Promise.resolve(sns), sqs: () => Promise.resolve(new SQSClient({})) },
    });
  });
  let stop = false;
  const loops = handlers.map(async (handler) => {
    while (!stop) {
      const { received } = await pollOnce(env.sqs, pipeline.queueUrl, handler, { batchSize: settings.detect.batchSize, waitSeconds: 0 });
      if (received === 0) await sleep(25);
    }
  });
  const drained = await waitUntilDrained(env, pipeline.queueUrl, deadline);
  stop = true;
  await Promise.all(loops);
  counters.forEach((counts) => addFaults(faults, counts));
  return { retries: telemetries.reduce((sum, t) => sum + t.counted('RecordsFailed'), 0), drained };
}

/**
 * Runs worker processes: first only workers that carry a kill plan (each dies at its first chance
 * to reach its point, and is replaced by the next planned one), so every planned kill happens; then
 * plain workers recover the rest by redelivery, until the queue is drained.
 */
async function runWorkers(
  spec: ScenarioSpec,
  pipeline: LocalPipeline,
  env: ReliabilityEnv,
  deadline: number,
  files: { killLog: string; stats: string },
): Promise<{ drained: boolean }> {
  const plans = [...(spec.kills?.points ?? [])];
  const planned = plans.length;
  const active = new Set<ChildProcess>();
  let stopping = false;
  const killsSoFar = () => readFileSync(files.killLog, 'utf8').split('\n').filter(Boolean).length;
  const start = (point: KillPoint | undefined) => {
    const config = {
      queueUrl: pipeline.queueUrl,
      tableName: pipeline.tableName,
      topicArn: pipeline.topicArn,
      dlqUrl: pipeline.dlqUrl,
      leaseSeconds: LEASE_SECONDS,
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
  while (Date.now() < deadline && killsSoFar() < planned) await sleep(100);
  // Every planned kill happened: plain workers finish the work, recovering what the dead left.
  for (let i = 0; i < workers; i++) start(undefined);
  const drained = await waitUntilDrained(env, pipeline.queueUrl, deadline);
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

/**
 * Runs one scenario on freshly provisioned resources and checks the promises.
 *
 * @example
 * ```ts
 * const env = await startReliabilityEnv();
 * const result = await runScenario(SCENARIOS[0], env, 1);
 * ```
 */
export async function runScenario(spec: ScenarioSpec, env: ReliabilityEnv, seed: number): Promise<ScenarioResult> {
  const started = Date.now();
  const deadline = started + DEADLINE_MS;
  const random = seededRandom(seed);
  const settings = pipelineSettings();
  const id = `${spec.name}-${seed}-${Math.floor(random() * 1e6)}`;
  const pipeline = await provisionPipeline(env, settings, `rel-${id}`.slice(0, 60), {
    visibilityTimeoutSeconds: spec.kills ? VISIBILITY_SECONDS : IN_PROCESS_VISIBILITY_SECONDS,
  });
  const catalog = createRuleCatalog();
  const workDir = mkdtempSync(join(tmpdir(), 'reliability-'));
  const files = { killLog: join(workDir, 'kills.jsonl'), stats: join(workDir, 'stats.jsonl') };
  writeFileSync(files.killLog, '');
  writeFileSync(files.stats, '');

  const phases = spec.phases ?? 1;
  const base = Math.floor(Date.now() / 1000);
  const expected = new Set<string>();
  const faults = noFaults();
  let retries = 0;
  let events = 0;
  let drained = true;
  for (let phase = 0; phase < phases; phase++) {
    const phaseBase = base + phase * HOUR;
    const phaseStart = Date.now();
    // Time runs within a phase (leases expire), and jumps a dedup period between phases.
    const clock = () => phaseBase + Math.floor((Date.now() - phaseStart) / 1000);
    const list = syntheticEvents(spec.events, { matchingRate: spec.matchingRate, runId: `${id}-p${phase}`, actorSet: id, matchingActors: spec.actors });
    events += list.length;
    for (const event of list) for (const match of catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event).matches) expected.add(`${phase}|${match.dedup}`);
    let bodies = messageBodies(list, spec.perMessage);
    if (spec.duplicateRate) bodies = bodies.flatMap((b) => (random() < (spec.duplicateRate ?? 0) ? [b, b] : [b]));
    if (phase === 0 && spec.poison) bodies.push(...Array.from({ length: spec.poison }, (_, i) => POISON[i % POISON.length] ?? 'poison'));
    if (spec.shuffle) bodies = shuffle(bodies, random);
    await sendMessages(env.sqs, pipeline.queueUrl, bodies);
    if (spec.kills) {
      if (phases > 1) throw new Error('worker scenarios run on the real clock: one phase only');
      drained = (await runWorkers(spec, pipeline, env, deadline, files)).drained && drained;
    } else {
      const run = await runConsumers(spec, pipeline, env, clock, random, faults, deadline);
      retries += run.retries;
      drained = run.drained && drained;
    }
  }
  if (spec.kills) retries += readFileSync(files.stats, 'utf8').split('\n').filter(Boolean).reduce((sum, line) => sum + (JSON.parse(line) as { failed: number }).failed, 0);

  // Alerts as the subscriber received them.
  const received = await drainQueue(env.sqs, pipeline.subscriberUrl, { attributes: false });
  const deliveries = received.map((message) => alertFromSubscriberMessage(message.Body ?? '{}'));
  const windowsByPair = new Map<string, Set<string>>();
  const deliveriesById = new Map<string, number>();
  for (const alert of deliveries) {
    const windowStart = Date.parse(alert.windowEndsAt) / 1000 - HOUR;
    const pair = `${Math.floor((windowStart - base) / HOUR)}|${alert.dedupKey}`;
    windowsByPair.set(pair, (windowsByPair.get(pair) ?? new Set()).add(alert.alertId));
    deliveriesById.set(alert.alertId, (deliveriesById.get(alert.alertId) ?? 0) + 1);
  }
  const lost = [...expected].filter((pair) => !windowsByPair.has(pair)).length;
  const unexpected = [...windowsByPair.keys()].filter((pair) => !expected.has(pair)).length;
  const doubleAlertedWindows = [...windowsByPair.values()].filter((ids) => ids.size > 1).length;
  const kills = readFileSync(files.killLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { point: KillPoint; publishedNotMarked: string[] });
  // Every alert a dying worker had published but not yet marked sent (the one at the kill point, and
  // any other of its batch in flight at that instant) may be published once more, same id.
  const diedAfterPublish = new Map<string, number>();
  for (const kill of kills) for (const alertId of kill.publishedNotMarked) diedAfterPublish.set(alertId, (diedAfterPublish.get(alertId) ?? 0) + 1);
  let duplicates = 0;
  let allowedDuplicates = 0;
  for (const [alertId, count] of deliveriesById) {
    duplicates += count - 1;
    allowedDuplicates += Math.min(count - 1, diedAfterPublish.get(alertId) ?? 0);
  }
  const dead = await drainQueue(env.sqs, pipeline.dlqUrl);
  const keptPoison = dead.filter((m) => m.MessageAttributes?.failure_kind?.StringValue === 'malformed-body').length;

  const problems: string[] = [];
  if (!drained) problems.push('the queue did not drain before the deadline');
  if (lost > 0) problems.push(`${lost} expected alert(s) never delivered`);
  if (unexpected > 0) problems.push(`${unexpected} alert(s) for windows no event opened`);
  if (doubleAlertedWindows > 0) problems.push(`${doubleAlertedWindows} window(s) alerted under more than one alert id`);
  if (duplicates > allowedDuplicates) problems.push(`${duplicates - allowedDuplicates} duplicate delivery(ies) not explained by a death after publishing`);
  if (keptPoison !== (spec.poison ?? 0) || dead.length !== keptPoison) {
    problems.push(`DLQ holds ${dead.length} message(s), ${keptPoison} of them poison; expected exactly the ${spec.poison ?? 0} poison message(s)`);
  }
  const plannedKills = spec.kills?.points.length ?? 0;
  if (kills.length !== plannedKills) problems.push(`${kills.length} of ${plannedKills} planned worker kill(s) happened`);
  return {
    name: spec.name,
    events,
    expectedAlerts: expected.size,
    delivered: deliveriesById.size,
    lost,
    duplicates,
    allowedDuplicates,
    doubleAlertedWindows,
    dlq: dead.length,
    expectedDlq: spec.poison ?? 0,
    retries,
    kills: kills.length,
    faults,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    problems,
  };
}
