import { ConfigError } from '../../../shared/config-error.ts';
import { httpsUrl } from '../../../config/https-url.ts';
import { staticSecret } from '../../../ingestion/parameters/secure-parameter.ts';
import { AuditLogClient } from '../../../ingestion/poller/audit-log-client.ts';
import { DynamoCursorStore, MemoryCursorStore, type CursorStore } from '../../../ingestion/poller/cursor-store.ts';
import { POLL_CURSOR_KEY } from '../../../ingestion/poller/cursor-key.ts';
import { AUDIT_LOG_STREAMS, streamCursorKey, type AuditLogStream } from '../../../ingestion/poller/audit-log-stream.ts';
import {
  AdminKeyRejectedError,
  AuditLogRequestError,
  AuditLogUnavailableError,
} from '../../../ingestion/poller/errors.ts';
import { pollAuditLogs } from '../../../ingestion/poller/poll.ts';
import type { PollDependencies } from '../../../ingestion/poller/poll.ts';
import {
  DEFAULT_ORGANIZATION,
  organizationIdProblem,
  organizationName,
  type Organization,
} from '../../../ingestion/packing/organization.ts';
import { serializeEvent } from '../../../ingestion/packing/serialize-event.ts';
import { safeJsonText } from '../../../shared/output-json.ts';
import { printable, quote } from '../../../shared/printable.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

/** Unix seconds as ISO 8601 without milliseconds. */
function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Options of `poll`. */
export interface PollCommandOptions {
  readonly once?: boolean;
  readonly since?: string;
  readonly 'dry-run'?: boolean;
  readonly 'max-attempts'?: string;
  readonly organization?: string;
  readonly stream?: string;
}

/**
 * `poll --once [--since ISO-8601] [--dry-run] [--stream S]`: one polling run from the command line,
 * of both streams (organization-scoped events, then tenant-scoped ones) unless `--stream` names
 * one. The key comes from OPENAI_ADMIN_KEY, the API from OPENAI_BASE_URL; `--dry-run` prints the
 * events as JSON Lines (oldest first, each once), otherwise they go to AUDIT_EVENTS_QUEUE_URL.
 *
 * @example
 * ```ts
 * await pollCommand({ once: true, 'dry-run': true }, io);
 * ```
 */
export async function pollCommand(options: PollCommandOptions, io: CliIo): Promise<number> {
  if (options.once !== true) {
    io.stderr(
      'poll: only single runs are supported here: pass --once (the deployed function runs on a schedule); see --help\n',
    );
    return EXIT_USAGE;
  }
  let since: number | undefined;
  if (options.since !== undefined) {
    const parsed = Date.parse(options.since);
    if (Number.isNaN(parsed)) {
      io.stderr(
        `poll: --since must be an ISO-8601 time such as 2026-11-24T00:00:00Z, got ${JSON.stringify(printable(options.since))}\n`,
      );
      return EXIT_USAGE;
    }
    since = Math.floor(parsed / 1000);
  }
  const maxAttempts = Number(options['max-attempts'] ?? '8');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) {
    io.stderr(`poll: --max-attempts must be an integer from 1 to 20, got ${quote(options['max-attempts'] ?? '')}\n`);
    return EXIT_USAGE;
  }
  const [organizationId = '', ...nameParts] = (options.organization ?? DEFAULT_ORGANIZATION.id).split(':');
  const problem = organizationIdProblem(organizationId);
  if (problem !== undefined) {
    io.stderr(`poll: --organization: the id ${problem}, got ${quote(organizationId)}\n`);
    return EXIT_USAGE;
  }
  const organization: Organization = { id: organizationId, name: organizationName(nameParts.join(':')) };
  const streamOption = options.stream ?? 'both';
  if (streamOption !== 'both' && !AUDIT_LOG_STREAMS.includes(streamOption as AuditLogStream)) {
    io.stderr(`poll: --stream must be organization, tenant or both, got ${quote(streamOption)}\n`);
    return EXIT_USAGE;
  }
  const streams = streamOption === 'both' ? AUDIT_LOG_STREAMS : [streamOption as AuditLogStream];
  const adminKey = io.env.OPENAI_ADMIN_KEY?.trim();
  if (!adminKey) {
    io.stderr('poll: OPENAI_ADMIN_KEY is not set: export an organization Admin API key (see docs/ingestion.md)\n');
    return EXIT_USAGE;
  }
  const queueUrl = io.env.AUDIT_EVENTS_QUEUE_URL?.trim();
  if (options['dry-run'] !== true && !queueUrl) {
    io.stderr(
      'poll: AUDIT_EVENTS_QUEUE_URL is not set: name the detection queue, or pass --dry-run to print the events\n',
    );
    return EXIT_USAGE;
  }
  let baseUrl: string;
  try {
    baseUrl = httpsUrl(io.env.OPENAI_BASE_URL?.trim() || 'https://api.openai.com/v1', 'OPENAI_BASE_URL');
  } catch (error) {
    io.stderr(`poll: ${error instanceof Error ? error.message : 'bad OPENAI_BASE_URL'}\n`);
    return EXIT_USAGE;
  }
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const client = new AuditLogClient({
    baseUrl,
    adminKey: staticSecret(adminKey, 'OPENAI_ADMIN_KEY'),
    keySource: 'OPENAI_ADMIN_KEY',
    maxAttempts,
    onRetry: ({ attempt, maxAttempts, problem, waitMs }) =>
      io.stderr(`poll: attempt ${attempt} of ${maxAttempts} failed: ${problem}; retrying in ${seconds(waitMs)}\n`),
  });
  // Each stream its own cursor: in memory (every run starts afresh), or in DynamoDB with CURSOR_TABLE_NAME.
  let cursorOf: (stream: AuditLogStream) => CursorStore = () => new MemoryCursorStore();
  let deliver: PollDependencies['deliver'];
  if (options['dry-run'] === true) {
    deliver = (events) => {
      let rejected = 0;
      for (const event of events) {
        const serialized = serializeEvent(event);
        if (serialized.ok) io.stdout(`${safeJsonText(serialized.json)}\n`);
        else {
          rejected++;
          io.stderr(
            `poll: event ${quote(typeof event.id === 'string' ? event.id : '?')} not printed: ${serialized.reason}\n`,
          );
        }
      }
      return Promise.resolve({ rejected });
    };
  } else {
    const [{ SQSClient }, { enqueueEvents }] = await Promise.all([
      import('@aws-sdk/client-sqs'),
      import('../../../ingestion/packing/enqueue-events.ts'),
    ]);
    const sqs = new SQSClient({});
    deliver = async (events) => {
      const { rejected } = await enqueueEvents({ sqs, queueUrl: queueUrl ?? '' }, events, {
        organization,
        source: 'poller',
      });
      for (const item of rejected)
        io.stderr(`poll: event ${quote(item.eventId ?? `#${item.index}`)} not enqueued: ${item.reason}\n`);
      return { rejected: rejected.length };
    };
    const table = io.env.CURSOR_TABLE_NAME?.trim();
    if (table) {
      const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
      const dynamodb = new DynamoDBClient({});
      const key = io.env.CURSOR_KEY?.trim() || POLL_CURSOR_KEY;
      cursorOf = (stream) => new DynamoCursorStore(dynamodb, table, streamCursorKey(key, stream));
    }
  }
  const verb = options['dry-run'] === true ? 'printed' : 'enqueued';
  let status = EXIT_OK;
  for (const stream of streams) {
    const tag = streams.length > 1 ? ` [${stream}]` : '';
    io.stderr(
      `poll:${tag} listing ${baseUrl}/organization/audit_logs${stream === 'tenant' ? '?tenant_only=true' : ''}${since === undefined ? ' (the last 24 hours)' : ` since ${iso(since)}`}\n`,
    );
    try {
      const result = await pollAuditLogs(
        {
          client,
          cursor: cursorOf(stream),
          deliver,
          clock: () => Math.floor(Date.now() / 1000),
          remainingMs: () => Number.POSITIVE_INFINITY,
          onSlice: ({ sliceStart, sliceEnd, listed, delivered, pages }) =>
            io.stderr(
              `poll:${tag} ${iso(sliceStart)} to ${iso(sliceEnd)}: ${listed} listed in ${pages} page(s), ${delivered} ${verb}\n`,
            ),
        },
        {
          overlapSeconds: 600,
          backfillSeconds: 24 * 3600,
          sliceSeconds: 3600,
          tenantOnly: stream === 'tenant',
          ...(since === undefined ? {} : { since }),
        },
      );
      io.stderr(
        `poll:${tag} ${result.delivered} event(s) ${verb}, ${result.listed} listed, ${result.alreadyDelivered} already delivered, ${result.invalid} invalid, ${result.rejected} rejected\n`,
      );
    } catch (error) {
      if (
        error instanceof AdminKeyRejectedError ||
        error instanceof AuditLogUnavailableError ||
        error instanceof AuditLogRequestError ||
        error instanceof ConfigError
      ) {
        io.stderr(`poll:${tag} ${error.message}\n`);
        status = EXIT_FAILURE;
        // A refused key is refused for every stream.
        if (error instanceof AdminKeyRejectedError || error instanceof ConfigError) break;
        continue;
      }
      throw error;
    }
  }
  return status;
}
