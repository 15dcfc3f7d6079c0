import { auditEventProblem } from '../detection/openai/extract-events.ts';
import { ownValue, type JsonObject } from '../shared/json.ts';
import { isArchiveTime, utcDay } from './day.ts';
import { objectLine } from './object-line.ts';

/**
 * One line of an events object, its keys in this order. `event` is the audit event exactly as it
 * was received (OpenAI's shape, `effective_at` in Unix seconds).
 *
 * @example
 * ```ts
 * const line: ArchivedEvent = { organization_id: 'org-abc123', message_id: 'm-1', source: 'poller',
 *   received_at: '2024-11-24T08:00:00.000Z', event: { id: 'audit_log-1', type: 'login.failed', effective_at: 1732430000 } };
 * ```
 */
export interface ArchivedEvent {
  /** The organization the event came from (our ingestion's envelope), `null` when none was said. */
  readonly organization_id: string | null;
  /** The queue message that carried the event (one message may carry several). */
  readonly message_id: string;
  /** How it came in: `poller`, `webhook`, `local`, or `''` when the message did not say. */
  readonly source: string;
  /** When it was received, ISO 8601 (UTC). */
  readonly received_at: string;
  readonly event: JsonObject;
}

/**
 * What {@link archivedEvent} builds a line from.
 *
 * @example
 * ```ts
 * const input: ArchivedEventInput = { organizationId: null, messageId: 'm-1', source: '', receivedAt: new Date(), event };
 * ```
 */
export interface ArchivedEventInput {
  readonly organizationId: string | null;
  readonly messageId: string;
  readonly source: string;
  /**
   * When the message was received. For a redelivered batch to be archived with the same bytes, use
   * a time that redelivery keeps (SQS's `SentTimestamp`), not the time of processing.
   */
  readonly receivedAt: Date;
  readonly event: JsonObject;
}

/**
 * The archive line of one received event, its keys in the layout's order. Throws a `RangeError`
 * when `receivedAt` is not a time a key can place (before 1970, after year 9999, or invalid).
 *
 * @example
 * ```ts
 * const line = archivedEvent({ organizationId: 'org-abc123', messageId: record.messageId, source: 'poller',
 *   receivedAt: new Date(Number(record.attributes.SentTimestamp)), event });
 * ```
 */
export function archivedEvent(input: ArchivedEventInput): ArchivedEvent {
  const received = input.receivedAt.getTime();
  if (!isArchiveTime(received)) throw new RangeError('receivedAt is not a time from 1970 to 9999');
  return {
    organization_id: input.organizationId,
    message_id: input.messageId,
    source: input.source,
    received_at: input.receivedAt.toISOString(),
    event: input.event,
  };
}

/**
 * The text of one line (without its newline): the five keys in the layout's order, whatever order
 * the object holds them in.
 *
 * @example
 * ```ts
 * encodeEventLine(line); // '{"organization_id":"org-abc123","message_id":"m-1","source":"poller","received_at":"...","event":{...}}'
 * ```
 */
export function encodeEventLine(line: ArchivedEvent): string {
  return JSON.stringify({
    organization_id: line.organization_id,
    message_id: line.message_id,
    source: line.source,
    received_at: line.received_at,
    event: line.event,
  });
}

/**
 * `effective_at` of an event in Unix seconds (a number, or a string of digits, as the engine reads
 * it), or `undefined` when it has none a key can place.
 *
 * @example
 * ```ts
 * effectiveAtSeconds({ id: 'e', type: 't', effective_at: 1732430000 }); // 1732430000
 * effectiveAtSeconds({ id: 'e', type: 't' });                           // undefined
 * ```
 */
export function effectiveAtSeconds(event: JsonObject): number | undefined {
  const value = ownValue(event, 'effective_at');
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) seconds = Number(value);
  return seconds !== undefined && isArchiveTime(seconds * 1000) ? seconds : undefined;
}

/**
 * The event time of a line in milliseconds: the event's `effective_at`, or when it has none, the
 * time it was received (as the engine uses the time of processing for such events).
 *
 * @example
 * ```ts
 * archivedEventTime(line); // 1732430000000
 * ```
 */
export function archivedEventTime(line: ArchivedEvent): number {
  const seconds = effectiveAtSeconds(line.event);
  return seconds === undefined ? Date.parse(line.received_at) : seconds * 1000;
}

/**
 * The `dt` partition of a line: the UTC date of its event time ({@link archivedEventTime}).
 *
 * @example
 * ```ts
 * archivedEventDay(line); // '2024-11-24'
 * ```
 */
export function archivedEventDay(line: ArchivedEvent): string {
  return utcDay(archivedEventTime(line));
}

/**
 * What {@link decodeEventLine} makes of a line: the archived event, or why it is not one.
 *
 * @example
 * ```ts
 * const decoded: DecodedEventLine = decodeEventLine('[1]'); // { problem: 'not an archived event: expected a JSON object' }
 * ```
 */
export type DecodedEventLine = { readonly line: ArchivedEvent } | { readonly problem: string };

function fieldProblem(value: JsonObject): string | undefined {
  const organization = ownValue(value, 'organization_id');
  if (organization !== null && typeof organization !== 'string') return '"organization_id" must be a string or null';
  for (const key of ['message_id', 'source', 'received_at']) {
    if (typeof ownValue(value, key) !== 'string') return `"${key}" must be a string`;
  }
  if (!isArchiveTime(Date.parse(ownValue(value, 'received_at') as string)))
    return '"received_at" must be an ISO 8601 time';
  const problem = auditEventProblem(ownValue(value, 'event'));
  return problem === undefined ? undefined : `"event": ${problem}`;
}

/**
 * Reads one line of an events object: the archived event, or the reason it is not one (not JSON,
 * a field missing or of the wrong type, an `event` that is not an audit event). Never throws.
 *
 * @example
 * ```ts
 * const decoded = decodeEventLine(text);
 * if ('problem' in decoded) report(`${key}:${number}: ${decoded.problem}`);
 * ```
 */
export function decodeEventLine(text: string): DecodedEventLine {
  const read = objectLine(text, 'not an archived event');
  if ('problem' in read) return read;
  const { value } = read;
  const problem = fieldProblem(value);
  if (problem !== undefined) return { problem: `not an archived event: ${problem}` };
  return { line: value as unknown as ArchivedEvent };
}
