import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DirectoryArchiveStore } from '../../archive/directory-store.ts';
import { S3ArchiveStore } from '../../archive/s3-store.ts';
import type { ArchiveStore } from '../../archive/store.ts';
import { TeeArchiveStore } from '../../archive/tee-store.ts';
import type { AlertDocument } from '../../pipeline/alerts/alert-document.ts';
import type { ReceivedRequest } from './receivers.ts';
import { loadOwnDetections, ownRulesOf } from '../../config/rules-folder.ts';
import { readDetectConfig } from '../../config/detect-config.ts';
import { createDetectionHandler } from '../../pipeline/detect/create-handler.ts';
import type { LogLevel } from '../../shared/log-level.ts';
import { parseJsonInput } from '../../shared/json-input.ts';
import { DEFAULT_ORGANIZATION } from '../../ingestion/packing/organization.ts';
import { packEvents } from '../../ingestion/packing/pack-events.ts';
import { sendMessages } from '../../ingestion/packing/queue-sink.ts';
import { extractAuditEvents } from '../../detection/openai/extract-events.ts';
import type { JsonObject } from '../../shared/json.ts';
import { outputJson } from '../../shared/output-json.ts';
import { printable, quote } from '../../shared/printable.ts';
import { alertText } from './alert-text.ts';
import { outcomeText } from './outcome-text.ts';
import { summaryText, type LocalSummary } from './local-summary.ts';
import { emulatorEndpoints, startDynalite, startFauxqs, useEmulators, type Emulator } from './emulators.ts';
import { alertFromSubscriberMessage, pollOnce, queueDepth, receiveAndDelete } from './event-source.ts';
import {
  alertIdOf,
  deliveryLine,
  payloadText,
  startLocalDeliveryStage,
  type LocalDeliveryStage,
} from './local-delivery.ts';
import { localTelemetry } from './local-telemetry.ts';
import { startLocalWebhook } from './local-webhook.ts';
import { provisionPipeline, type LocalPipeline } from './provision.ts';
import { pipelineSettings } from './settings.ts';

/** The single test event of the deploy guide, signed for the printed webhook curl command. */
const TEST_EVENT = join(import.meta.dirname, '../../../examples/test-event.json');

/** Seconds before a failed record is retried locally (the deployed 6x rule would stall a run for minutes). */
export const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 2;

/** What the local run reads and how it reports. */
export interface LocalRunOptions {
  /** JSON or JSON Lines of audit events (as for `evaluate`). */
  readonly eventsFile: string;
  readonly json: boolean;
  readonly keepRunning: boolean;
  readonly logLevel: LogLevel;
  /** Also print every request the local destinations receive, headers and body. */
  readonly payloads?: boolean;
  /** Also keep the archive (events and alerts) in this directory, in the bucket's layout. */
  readonly archiveDir?: string;
}

/** Where the local run writes, and how it learns it should stop. */
export interface LocalRunIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stderr is a terminal: progress is drawn there for large inputs. */
  readonly stderrIsTty: boolean;
  /** Resolves when the user asks to stop (Ctrl-C). */
  readonly interrupted: Promise<void>;
}

interface ReadEvents {
  readonly events: JsonObject[];
  readonly problems: number;
}

async function readEvents(file: string, io: LocalRunIo): Promise<ReadEvents | undefined> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    io.stderr(
      `start: cannot read ${printable(file)}: ${error instanceof Error ? printable(error.message) : 'unreadable'}\n`,
    );
    return undefined;
  }
  const { values, failures } = parseJsonInput(text);
  let problems = failures.length;
  for (const failure of failures)
    io.stderr(
      `start: ${printable(file)}${failure.line === undefined ? '' : `:${failure.line}`}: not valid JSON: ${failure.reason}\n`,
    );
  const events: JsonObject[] = [];
  for (const { line, value } of values) {
    const extracted = extractAuditEvents(value);
    for (const problem of extracted.problems) {
      problems++;
      const at = `${printable(file)}${line === undefined ? '' : `:${line}`}${problem.path ? `: ${problem.path}` : ''}`;
      io.stderr(`start: ${at}: ${problem.reason} (not sent)\n`);
    }
    events.push(...extracted.events.map((e) => e.event));
  }
  return { events, problems };
}

/** Alerts the subscriber queue has received, as documents. */
async function receiveAlerts(sqs: SQSClient, subscriberUrl: string, waitSeconds: number): Promise<AlertDocument[]> {
  return (await receiveAndDelete(sqs, subscriberUrl, { waitSeconds, attributes: false })).map((m) =>
    alertFromSubscriberMessage(m.Body ?? '{}'),
  );
}

function startInfo(
  pipeline: LocalPipeline,
  endpoints: { dynamodb: string; sns: string; s3: string },
  stage: LocalDeliveryStage,
  archiveBucket: string,
  archiveDir: string | undefined,
): string {
  return [
    'Local pipeline running: send audit events with the AWS CLI (any credentials), for example',
    `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region us-east-1 --endpoint-url ${endpoints.sns} \\`,
    `    sqs send-message --queue-url ${pipeline.queueUrl} --message-body file://examples/test-event.json`,
    `  queue URL:  ${pipeline.queueUrl}`,
    `  DLQ URL:    ${pipeline.dlqUrl}`,
    `  topic ARN:  ${pipeline.topicArn}`,
    `  SQS, SNS:   ${endpoints.sns}`,
    `  DynamoDB:   ${endpoints.dynamodb} (table ${pipeline.tableName})`,
    `  archive:    s3://${archiveBucket} at ${endpoints.s3}${archiveDir === undefined ? '' : `, copied to ${printable(archiveDir)}`}`,
    `  PagerDuty:  ${stage.receivers.pagerduty.url} (local Events API v2)`,
    `  Slack:      ${stage.receivers.slack.url} (local incoming webhook)`,
    `  Alert webhook: ${stage.receivers.webhook.url} (local Standard Webhooks receiver)`,
    `Failed records are retried after ${LOCAL_VISIBILITY_TIMEOUT_SECONDS}s locally (deployed: the queue's visibility timeout). Ctrl-C stops.`,
    '',
  ].join('\n');
}

/**
 * `npm start`: the whole pipeline on embedded emulators. Starts dynalite and fauxqs on 127.0.0.1,
 * provisions the stack's resources with the stack's settings (infra/settings.cjs), sends the
 * events, drives the real handler as Lambda's SQS event source does, and prints each alert as the
 * subscriber queue receives it, then a summary. Returns the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = await runLocalPipeline({ eventsFile, json: false, keepRunning: false, logLevel: 'WARN' }, io);
 * ```
 */
export async function runLocalPipeline(options: LocalRunOptions, io: LocalRunIo): Promise<number> {
  const input = await readEvents(options.eventsFile, io);
  if (input === undefined) return 1;
  // A rules folder's detections (--rules, RULES_DIR), compiled before any emulator starts: a bad
  // one stops the run with its file and line.
  const ownRules = ownRulesOf(loadOwnDetections(io.env));

  const emulators: Emulator[] = [];
  const stoppers: Array<() => Promise<void>> = [];
  const clients: Array<{ destroy(): void }> = [];
  let stage: LocalDeliveryStage | undefined;
  try {
    const [dynamodbEmulator, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
    emulators.push(dynamodbEmulator, fauxqs);
    const endpoints = emulatorEndpoints(dynamodbEmulator, fauxqs);
    useEmulators(endpoints);
    const sqs = new SQSClient({});
    const dynamodb = new DynamoDBClient({});
    const sns = new SNSClient({});
    const s3 = new S3Client({});
    clients.push(sqs, dynamodb, sns, s3);

    const settings = pipelineSettings();
    const pipeline = await provisionPipeline({ dynamodb, sqs, sns }, settings, `${settings.service}-local`, {
      visibilityTimeoutSeconds: LOCAL_VISIBILITY_TIMEOUT_SECONDS,
    });
    // The archive in the emulator's S3, as deployed; with --archive-dir, a copy in that directory.
    const archiveBucket = `${settings.service}-local-archive`;
    await s3.send(new CreateBucketCommand({ Bucket: archiveBucket }));
    const bucketStore = new S3ArchiveStore(s3, archiveBucket);
    const archive: ArchiveStore =
      options.archiveDir === undefined
        ? bucketStore
        : new TeeArchiveStore([bucketStore, new DirectoryArchiveStore(options.archiveDir)]);
    const archiveStore = () => Promise.resolve(archive);
    // Alerts, and the matches that did not alert, are shown in the order of their events in the
    // input (they come back from the queues in any order); with --keep-running, as they come.
    const position = new Map<string, number>();
    input.events.forEach((event, index) => {
      // Audit events have a string id (extractAuditEvents checked it).
      const id = typeof event.id === 'string' ? event.id : '';
      for (const key of [id, printable(id)]) if (!position.has(key)) position.set(key, index);
    });
    // For one event, its alerts come first, then what became of its other matches (a redelivery).
    const pending: Array<{ at: number; rank: number; seq: number; show: () => void }> = [];
    const inOrder = (eventId: string | null | undefined, rank: number, show: () => void) => {
      if (options.keepRunning) return show();
      pending.push({ at: position.get(eventId ?? '') ?? Number.MAX_SAFE_INTEGER, rank, seq: pending.length, show });
    };
    const baseTelemetry = localTelemetry(options.logLevel, io.stderr);
    const telemetry: typeof baseTelemetry = {
      ...baseTelemetry,
      log(level, message, fields = {}) {
        baseTelemetry.log(level, message, fields);
        const line = options.json ? undefined : outcomeText(message, fields);
        if (line !== undefined)
          inOrder(typeof fields.eventId === 'string' ? fields.eventId : undefined, 1, () => io.stdout(line));
      },
    };
    stage = await startLocalDeliveryStage({ sqs, sns }, settings, `${settings.service}-local`, pipeline.topicArn, {
      log: (level, message, fields) => telemetry.log(level, message, fields),
      visibilityTimeoutSeconds: LOCAL_VISIBILITY_TIMEOUT_SECONDS,
      archive: { bucket: archiveBucket, store: archiveStore },
    });
    const deliveries = stage;
    const config = readDetectConfig(
      {
        ...io.env,
        DEDUP_TABLE_NAME: pipeline.tableName,
        ALERT_TOPIC_ARN: pipeline.topicArn,
        DEAD_LETTER_QUEUE_URL: pipeline.dlqUrl,
        LOG_LEVEL: options.logLevel,
        EVENT_CONCURRENCY: String(settings.detect.eventConcurrency),
        DEDUP_LEASE_SECONDS: String(settings.detect.leaseSeconds),
        MAX_RECEIVE_COUNT: String(settings.queue.maxReceiveCount),
        ARCHIVE_BUCKET: archiveBucket,
      },
      ownRules,
    );
    const handler = createDetectionHandler({ config, telemetry, archiveStore });
    if (options.keepRunning) {
      const webhook = await startLocalWebhook({
        dynamodb,
        sqs,
        queueUrl: pipeline.queueUrl,
        prefix: `${settings.service}-local`,
        sampleFile: TEST_EVENT,
      });
      stoppers.push(() => webhook.server.stop());
      (options.json ? io.stderr : io.stdout)(
        `${startInfo(pipeline, endpoints, stage, archiveBucket, options.archiveDir)}${webhook.info}`,
      );
    }

    // Each alert is printed with what its destinations received; a delivery that comes later (a
    // retry) is printed on its own.
    const received = new Map<string, ReceivedRequest[]>();
    const printed = new Set<string>();
    const showDelivery = (request: ReceivedRequest) => {
      if (options.json) {
        if (options.payloads)
          io.stdout(
            `${outputJson({ delivery: { destination: request.destination, answer: request.answer, headers: request.headers, body: JSON.parse(request.body) as unknown } })}\n`,
          );
        return;
      }
      io.stdout(deliveryLine(request));
      if (options.payloads) io.stdout(payloadText(request));
    };
    for (const receiver of Object.values(stage.receivers)) {
      receiver.onRequest((request) => {
        const alertId = alertIdOf(request) ?? '';
        if (printed.has(alertId)) showDelivery(request);
        else received.set(alertId, [...(received.get(alertId) ?? []), request]);
      });
    }
    let alerts = 0;
    const print = (alert: AlertDocument) => {
      alerts++;
      inOrder(alert.eventId, 0, () => {
        io.stdout(options.json ? `${outputJson(alert)}\n` : alertText(alert));
        printed.add(alert.alertId);
        for (const request of received.get(alert.alertId) ?? []) showDelivery(request);
        received.delete(alert.alertId);
      });
    };
    const showProgress = io.stderrIsTty && input.events.length >= 1000;
    let processedEvents = 0;
    const progress = () => {
      if (!showProgress) return;
      const done = Math.min(1, processedEvents / input.events.length);
      io.stderr(
        `\r[${'#'.repeat(Math.round(done * 30)).padEnd(30, '.')}] ${processedEvents}/${input.events.length} events, ${alerts} alerts`,
      );
    };

    // Packed as the poller packs them: several events per message, within SQS's size limit. An
    // event that cannot travel (too deep, too large) is reported and counted, the rest is sent.
    const packed = packEvents(input.events, { organization: DEFAULT_ORGANIZATION, source: 'local' });
    for (const item of packed.rejected) {
      io.stderr(
        `start: ${printable(options.eventsFile)}: event ${quote(item.eventId ?? `#${item.index + 1}`)} not sent: ${item.reason}\n`,
      );
    }
    const skipped = input.problems + packed.rejected.length;
    await sendMessages(sqs, pipeline.queueUrl, packed.bodies);

    let stopping = false;
    void io.interrupted.then(() => {
      stopping = true;
    });
    const consume = async (): Promise<void> => {
      for (;;) {
        if (stopping) return;
        const { received } = await pollOnce(sqs, pipeline.queueUrl, handler, {
          batchSize: settings.detect.batchSize,
          waitSeconds: options.keepRunning ? 1 : 0,
        });
        processedEvents = telemetry.counted('EventsReceived');
        const alertsNow = await receiveAlerts(sqs, pipeline.subscriberUrl, 0);
        const delivered = await deliveries.poll();
        alertsNow.forEach(print);
        progress();
        const idle = received === 0 && delivered === 0;
        if (
          idle &&
          !options.keepRunning &&
          (await queueDepth(sqs, pipeline.queueUrl)) === 0 &&
          (await deliveries.pending()) === 0
        )
          return;
        if (idle && !options.keepRunning) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await consume();
    for (
      let alertsNow = await receiveAlerts(sqs, pipeline.subscriberUrl, 0);
      alertsNow.length > 0;
      alertsNow = await receiveAlerts(sqs, pipeline.subscriberUrl, 0)
    ) {
      alertsNow.forEach(print);
    }
    if (showProgress) io.stderr('\n');
    pending.sort((a, b) => a.at - b.at || a.rank - b.rank || a.seq - b.seq).forEach((entry) => entry.show());

    const summary: LocalSummary = {
      // Deliveries to the function: every input event once, plus events sent while running, plus
      // any message retried after a failure.
      events: telemetry.counted('EventsReceived'),
      notSent: skipped,
      matched: telemetry.counted('EventsMatched'),
      matches: (
        ['MatchesAlerted', 'AlertsSuppressed', 'BelowThreshold', 'MatchesSuppressed', 'DuplicatesIgnored'] as const
      ).reduce((sum, metric) => sum + telemetry.counted(metric), 0),
      matchesAlerted: telemetry.counted('MatchesAlerted'),
      alerts,
      escalated: telemetry.counted('AlertsEscalated'),
      suppressed: telemetry.counted('AlertsSuppressed'),
      belowThreshold: telemetry.counted('BelowThreshold'),
      suppressedByRules: telemetry.counted('MatchesSuppressed'),
      redelivered: telemetry.counted('DuplicatesIgnored'),
      signals: telemetry.counted('SignalsRecorded'),
      correlations: telemetry.counted('CorrelationsCompleted'),
      newValues: telemetry.counted('BaselineNewValues'),
      failed: telemetry.counted('RecordsFailed'),
      ruleErrors: telemetry.counted('RuleErrors'),
      dlq: await queueDepth(sqs, pipeline.dlqUrl),
      delivered: {
        pagerduty: stage.counted('AlertsDelivered', 'pagerduty'),
        slack: stage.counted('AlertsDelivered', 'slack'),
        webhook: stage.counted('AlertsDelivered', 'webhook'),
      },
      deliveryRetries: (['pagerduty', 'slack', 'webhook'] as const).reduce(
        (sum, name) => sum + (stage?.counted('DeliveriesDeferred', name) ?? 0),
        0,
      ),
      deliveryDlq: await queueDepth(sqs, stage.delivery.dlqUrl),
      archived: {
        events: telemetry.counted('EventsArchived'),
        alerts: stage.counted('AlertsDelivered', 'archive'),
        failed: telemetry.counted('ArchiveWritesFailed'),
      },
    };
    if (options.json) io.stdout(`${outputJson({ summary })}\n`);
    else io.stdout(summaryText(summary));
    // As `evaluate` does: something that did not go through (an input item, a rule, a dead letter) fails the run.
    return summary.notSent > 0 || summary.ruleErrors > 0 || summary.dlq > 0 ? 1 : 0;
  } finally {
    await Promise.all(stoppers.map((stop) => stop()));
    await stage?.stop();
    clients.forEach((client) => client.destroy());
    await Promise.all(emulators.map((emulator) => emulator.stop()));
  }
}
