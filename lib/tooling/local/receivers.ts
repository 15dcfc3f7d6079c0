// Local stand-ins for the alert destinations, on 127.0.0.1 with ephemeral ports: PagerDuty's Events
// API v2, a Slack incoming webhook and a Standard Webhooks receiver. Each checks requests as the
// real service documents it (the limits in lib/delivery/constants.ts, cited in docs/deploy.md),
// records every request, and can be told to fail (status codes, Retry-After, dropped connections)
// for `npm start` and the tests. Development only: nothing here is bundled into a function.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { DestinationName } from '../../delivery/destination.ts';
import {
  PAGERDUTY_DEDUP_KEY_MAX_CHARS,
  PAGERDUTY_MAX_REQUEST_BYTES,
  PAGERDUTY_ROUTING_KEY_LENGTH,
  PAGERDUTY_SUMMARY_MAX_CHARS,
  SLACK_FIELD_MAX_CHARS,
  SLACK_HEADER_MAX_CHARS,
  SLACK_MAX_BLOCKS,
  SLACK_MAX_CONTEXT_ELEMENTS,
  SLACK_MAX_FIELDS,
  SLACK_SECTION_TEXT_MAX_CHARS,
} from '../../delivery/constants.ts';
import { readCredentials } from '../../ingestion/webhook/credentials.ts';
import { verifySignature } from '../../ingestion/webhook/signature.ts';
import { isJsonObject, ownValue, type JsonObject, type JsonValue } from '../../shared/json.ts';

/**
 * How a receiver misbehaves for one request: an HTTP status (with `Retry-After` and a body), a
 * dropped connection with no answer (`reset`), or the request processed and then the connection
 * dropped before the answer (`accept-then-reset`: the sender cannot know it arrived).
 */
export type Fault =
  { readonly status: number; readonly retryAfter?: string; readonly body?: string } | 'reset' | 'accept-then-reset';

/** One request as a receiver saw it. */
export interface ReceivedRequest {
  readonly destination: DestinationName;
  /** The receiver's clock when the request arrived, in milliseconds. */
  readonly atMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The answer: an HTTP status, or `reset` when the connection was dropped. */
  readonly answer: number | 'reset';
  /** Valid, and taken into account (even if the answer was then lost). */
  readonly accepted: boolean;
  /** Accepted before: same `dedup_key` (PagerDuty) or `webhook-id` (webhook). */
  readonly duplicate: boolean;
  /** Why a request was refused (validation or signature). */
  readonly problem?: string;
}

/** A running receiver. */
export interface LocalReceiver {
  readonly destination: DestinationName;
  /** Where to send: the PagerDuty events URL, the Slack webhook URL or the webhook endpoint. */
  readonly url: string;
  readonly requests: readonly ReceivedRequest[];
  /** Faults for the next requests, one each, in order. */
  fail(...faults: Fault[]): void;
  /** Every request gets `fault` while `active()` is true (a destination that is down). */
  failWhile(active: () => boolean, fault: Fault): void;
  onRequest(listener: (request: ReceivedRequest) => void): void;
  stop(): Promise<void>;
}

interface Verdict {
  readonly status: number;
  readonly body: string;
  readonly accepted: boolean;
  readonly duplicate: boolean;
  readonly problem?: string;
  readonly contentType?: string;
}

type Check = (body: string, headers: Readonly<Record<string, string>>, nowMs: number) => Verdict;

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') out[name] = value;
  return out;
}

async function start(
  destination: DestinationName,
  path: string,
  check: Check,
  nowMs: () => number,
): Promise<LocalReceiver> {
  const requests: ReceivedRequest[] = [];
  const queued: Fault[] = [];
  let outage: { active: () => boolean; fault: Fault } | undefined;
  const listeners: Array<(request: ReceivedRequest) => void> = [];
  const sockets = new Set<Socket>();
  const record = (request: ReceivedRequest) => {
    requests.push(request);
    for (const listener of listeners) listener(request);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = headersOf(req);
      const atMs = nowMs();
      const fault = outage?.active() ? outage.fault : queued.shift();
      if (fault === 'reset') {
        record({ destination, atMs, headers, body, answer: 'reset', accepted: false, duplicate: false });
        req.socket.destroy();
        return;
      }
      if (fault !== undefined && fault !== 'accept-then-reset') {
        record({ destination, atMs, headers, body, answer: fault.status, accepted: false, duplicate: false });
        res.writeHead(fault.status, {
          'content-type': 'text/plain',
          ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }),
        });
        res.end(fault.body ?? '');
        return;
      }
      const verdict =
        req.method === 'POST' && req.url === path
          ? check(body, headers, atMs)
          : { status: 404, body: 'not found', accepted: false, duplicate: false, problem: `${req.method} ${req.url}` };
      if (fault === 'accept-then-reset') {
        record({
          destination,
          atMs,
          headers,
          body,
          answer: 'reset',
          accepted: verdict.accepted,
          duplicate: verdict.duplicate,
          ...(verdict.problem ? { problem: verdict.problem } : {}),
        });
        req.socket.destroy();
        return;
      }
      record({
        destination,
        atMs,
        headers,
        body,
        answer: verdict.status,
        accepted: verdict.accepted,
        duplicate: verdict.duplicate,
        ...(verdict.problem ? { problem: verdict.problem } : {}),
      });
      res.writeHead(verdict.status, { 'content-type': verdict.contentType ?? 'application/json' });
      res.end(verdict.body);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('receiver did not bind a TCP port');
  return {
    destination,
    url: `http://127.0.0.1:${address.port}${path}`,
    requests,
    fail: (...faults) => void queued.push(...faults),
    failWhile: (active, fault) => void (outage = { active, fault }),
    onRequest: (listener) => void listeners.push(listener),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function parseObject(body: string): JsonObject | undefined {
  try {
    const value = JSON.parse(body) as unknown;
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const chars = (text: string) => Array.from(text).length;
const textValue = (value: JsonValue | undefined) => (typeof value === 'string' ? value : '');

/** PagerDuty's checks of an event (Events API v2), with its answers. */
function pagerDutyCheck(dedupKeys: Set<string>): Check {
  return (body) => {
    const invalid = (error: string): Verdict => ({
      status: 400,
      body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: [error] }),
      accepted: false,
      duplicate: false,
      problem: error,
    });
    if (Buffer.byteLength(body) > PAGERDUTY_MAX_REQUEST_BYTES) return invalid('Request is larger than 512 KB');
    const event = parseObject(body);
    if (event === undefined) return invalid('JSON parse error');
    const routingKey = ownValue(event, 'routing_key');
    if (typeof routingKey !== 'string' || routingKey.length !== PAGERDUTY_ROUTING_KEY_LENGTH)
      return invalid("Length of 'routing_key' is incorrect (should be 32 characters)");
    if (!['trigger', 'acknowledge', 'resolve'].includes(textValue(ownValue(event, 'event_action'))))
      return invalid("'event_action' is invalid");
    const dedupKey = ownValue(event, 'dedup_key');
    if (typeof dedupKey !== 'string' || chars(dedupKey) > PAGERDUTY_DEDUP_KEY_MAX_CHARS)
      return invalid("'dedup_key' is missing or longer than 255 characters");
    const payload = ownValue(event, 'payload');
    if (!isJsonObject(payload)) return invalid("'payload' is missing");
    const summary = ownValue(payload, 'summary');
    if (typeof summary !== 'string' || summary === '' || chars(summary) > PAGERDUTY_SUMMARY_MAX_CHARS)
      return invalid("'payload.summary' is missing or longer than 1024 characters");
    if (typeof ownValue(payload, 'source') !== 'string') return invalid("'payload.source' is missing");
    if (!['critical', 'error', 'warning', 'info'].includes(textValue(ownValue(payload, 'severity'))))
      return invalid("'payload.severity' is invalid");
    const custom = ownValue(payload, 'custom_details');
    if (custom !== undefined && !isJsonObject(custom)) return invalid("'payload.custom_details' is not an object");
    const duplicate = dedupKeys.has(dedupKey);
    dedupKeys.add(dedupKey);
    return {
      status: 202,
      body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedupKey }),
      accepted: true,
      duplicate,
    };
  };
}

function textOf(object: JsonValue | undefined): string | undefined {
  if (!isJsonObject(object)) return undefined;
  const text = ownValue(object, 'text');
  return typeof text === 'string' ? text : undefined;
}

/** Block Kit's limits on what our messages use, and Slack's answers. */
function slackProblem(message: JsonObject): string | undefined {
  if (typeof ownValue(message, 'text') !== 'string') return 'no text';
  const blocks = ownValue(message, 'blocks');
  if (!Array.isArray(blocks) || blocks.length > SLACK_MAX_BLOCKS)
    return `blocks: missing, or more than ${SLACK_MAX_BLOCKS}`;
  for (const [i, block] of blocks.entries()) {
    if (!isJsonObject(block)) return `blocks[${i}]: not an object`;
    const type = ownValue(block, 'type');
    if (type === 'header') {
      const text = ownValue(block, 'text');
      const value = textOf(text);
      if (
        !isJsonObject(text) ||
        ownValue(text, 'type') !== 'plain_text' ||
        value === undefined ||
        chars(value) > SLACK_HEADER_MAX_CHARS
      )
        return `blocks[${i}]: header text must be plain_text of 1-150 characters`;
    } else if (type === 'section') {
      const text = textOf(ownValue(block, 'text'));
      const fields = ownValue(block, 'fields');
      if (text === undefined && fields === undefined) return `blocks[${i}]: section without text or fields`;
      if (text !== undefined && (text === '' || chars(text) > SLACK_SECTION_TEXT_MAX_CHARS))
        return `blocks[${i}]: section text must be 1-3000 characters`;
      if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length > SLACK_MAX_FIELDS)
          return `blocks[${i}]: more than ${SLACK_MAX_FIELDS} fields`;
        for (const [j, field] of fields.entries()) {
          const value = textOf(field);
          if (value === undefined || value === '' || chars(value) > SLACK_FIELD_MAX_CHARS)
            return `blocks[${i}].fields[${j}]: must be 1-2000 characters`;
        }
      }
    } else if (type === 'context') {
      const elements = ownValue(block, 'elements');
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > SLACK_MAX_CONTEXT_ELEMENTS)
        return `blocks[${i}]: context needs 1-10 elements`;
    } else if (type !== 'divider') return `blocks[${i}]: unexpected type`;
  }
  return undefined;
}

function slackCheck(): Check {
  return (body) => {
    const message = parseObject(body);
    const problem = message === undefined ? 'invalid_payload' : slackProblem(message);
    if (problem !== undefined)
      return {
        status: 400,
        body: problem === 'invalid_payload' ? problem : 'invalid_blocks',
        accepted: false,
        duplicate: false,
        problem,
        contentType: 'text/plain',
      };
    return { status: 200, body: 'ok', accepted: true, duplicate: false, contentType: 'text/plain' };
  };
}

function webhookCheck(secret: string, ids: Set<string>): Check {
  const { signingKeys } = readCredentials(secret);
  return (body, headers, nowMs) => {
    const check = verifySignature(
      { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] },
      Buffer.from(body),
      signingKeys,
      Math.floor(nowMs / 1000),
    );
    if (!check.ok)
      return {
        status: 401,
        body: JSON.stringify({ error: check.reason }),
        accepted: false,
        duplicate: false,
        problem: check.reason,
      };
    const { id } = check;
    const duplicate = ids.has(id);
    ids.add(id);
    return { status: 204, body: '', accepted: true, duplicate };
  };
}

/** Options common to the receivers. */
export interface ReceiverOptions {
  /** The receivers' clock, in milliseconds (webhook timestamps are checked against it). */
  readonly nowMs?: () => number;
}

/**
 * A local PagerDuty Events API v2 endpoint (`/v2/enqueue`): checks routing key, action, dedup key,
 * summary, source, severity and size as PagerDuty documents them, answers 202 or 400 as PagerDuty
 * does, and counts an event whose `dedup_key` it has accepted before as a duplicate (PagerDuty
 * applies it to the open alert instead of opening another).
 *
 * @example
 * ```ts
 * const pagerDuty = await startPagerDutyReceiver();
 * // PAGERDUTY_EVENTS_URL = pagerDuty.url
 * ```
 */
export function startPagerDutyReceiver(options: ReceiverOptions = {}): Promise<LocalReceiver> {
  return start('pagerduty', '/v2/enqueue', pagerDutyCheck(new Set()), options.nowMs ?? Date.now);
}

/**
 * A local Slack incoming webhook (`/services/T…/B…/…`): checks the message against Block Kit's
 * limits and answers `ok`, or 400 `invalid_blocks` / `invalid_payload` as Slack does.
 *
 * @example
 * ```ts
 * const slack = await startSlackReceiver();
 * ```
 */
export function startSlackReceiver(options: ReceiverOptions = {}): Promise<LocalReceiver> {
  return start(
    'slack',
    '/services/T00000000/B00000000/LOCALLOCALLOCALLOCALLOCA',
    slackCheck(),
    options.nowMs ?? Date.now,
  );
}

/**
 * A local Standard Webhooks receiver (`/hooks/openai-audit`): verifies `webhook-signature` with the
 * secret and `webhook-timestamp` within five minutes of its clock (401 otherwise), answers 204, and
 * counts a `webhook-id` it has accepted before as a duplicate.
 *
 * @example
 * ```ts
 * const webhook = await startWebhookReceiver('whsec_...');
 * ```
 */
export function startWebhookReceiver(secret: string, options: ReceiverOptions = {}): Promise<LocalReceiver> {
  return start('webhook', '/hooks/openai-audit', webhookCheck(secret, new Set()), options.nowMs ?? Date.now);
}
