import { typeName } from '../../shared/describe-error.ts';
import { jsonSyntaxErrorOffset, positionOf } from '../../shared/json-syntax.ts';
import { extractAuditEvents, type InputProblem, type LocatedEvent } from '../../detection/openai/extract-events.ts';
import { isJsonObject, ownValue } from '../../shared/json.ts';
import { readEnvelope } from '../../ingestion/packing/envelope.ts';
import type { Organization } from '../../ingestion/packing/organization.ts';

/** Envelopes unwrapped at most this deep (an SNS notification of an EventBridge event is two). */
const MAX_ENVELOPE_DEPTH = 3;

/** What one SQS message body holds. */
export type MessageContent =
  | {
      readonly kind: 'events';
      readonly events: readonly LocatedEvent[];
      readonly problems: readonly InputProblem[];
      /** From our ingestion envelope; absent for bare events, arrays and list pages. */
      readonly organization?: Organization;
      /** How the events came in (`poller`, `webhook`, `local`), from our ingestion envelope. */
      readonly source?: string;
      /** The items the problems are about, as they were (for a dead letter that holds only them). */
      readonly rejected: readonly unknown[];
    }
  | { readonly kind: 'malformed'; readonly reason: string };

/**
 * Where a text stops being JSON, without quoting it: the parser's own message echoes part of the
 * input, and a malformed message may carry a secret that must not reach a log.
 */
function syntaxError(text: string): string {
  const offset = jsonSyntaxErrorOffset(text);
  if (offset === undefined) return 'invalid JSON';
  if (offset >= text.length) return text.trim() === '' ? 'empty' : 'unexpected end of input';
  const { line, column } = positionOf(text, offset);
  return `syntax error at line ${line}, column ${column}`;
}

/** Joins JSON path segments: `Message` + `[0]` is `Message[0]`, `Message` + `detail` is `Message.detail`. */
function joinPath(outer: string, inner: string): string {
  if (outer === '' || inner === '') return outer || inner;
  return inner.startsWith('[') ? `${outer}${inner}` : `${outer}.${inner}`;
}

function unwrap(value: unknown, depth: number): { value: unknown; path: string } | { error: string } {
  if (!isJsonObject(value) || depth >= MAX_ENVELOPE_DEPTH) return { value, path: '' };
  // SNS notification: the payload is a JSON string in "Message".
  if (ownValue(value, 'Type') === 'Notification' && Object.hasOwn(value, 'Message')) {
    const message = ownValue(value, 'Message');
    if (typeof message !== 'string')
      return { error: `SNS envelope: "Message" must be a string, got ${typeName(message)}` };
    let inner: unknown;
    try {
      inner = JSON.parse(message);
    } catch {
      return { error: `SNS envelope: "Message" is not JSON: ${syntaxError(message)}` };
    }
    const result = unwrap(inner, depth + 1);
    return 'error' in result ? result : { value: result.value, path: joinPath('Message', result.path) };
  }
  // EventBridge event: the payload is the object in "detail".
  if (Object.hasOwn(value, 'detail') && Object.hasOwn(value, 'detail-type')) {
    const result = unwrap(ownValue(value, 'detail'), depth + 1);
    return 'error' in result ? result : { value: result.value, path: joinPath('detail', result.path) };
  }
  return { value, path: '' };
}

/** The items of an array or list page that `problems` point at (paths `[i]` or `data[i]`). */
function rejectedItems(value: unknown, problems: readonly InputProblem[]): unknown[] {
  const items: unknown = Array.isArray(value) ? value : isJsonObject(value) ? ownValue(value, 'data') : undefined;
  if (!Array.isArray(items)) return [];
  const list: readonly unknown[] = items;
  return problems.flatMap((problem) => {
    const index = /^(?:data)?\[(\d+)\]$/.exec(problem.path)?.[1];
    return index === undefined ? [] : [list[Number(index)]];
  });
}

/**
 * The audit events in one SQS message body: one event, a JSON array of events, an OpenAI list
 * page, or any of these inside an SNS notification or an EventBridge envelope. A body that is not
 * JSON, or holds no audit event at all, is `malformed`; otherwise the usable events are returned
 * with the problems of the others (path and reason).
 *
 *
 * @example
 * ```ts
 * const content = messageContent(record.body);
 * if (content.kind === 'events') for (const { event } of content.events) catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event);
 * ```
 */
export function messageContent(body: string): MessageContent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'malformed', reason: `body is not JSON: ${syntaxError(body)}` };
  }
  const outer = unwrap(parsed, 0);
  if ('error' in outer) return { kind: 'malformed', reason: outer.error };
  // Our ingestion's envelope: the organization, and the events under "events".
  const envelope = readEnvelope(outer.value);
  if (envelope && 'error' in envelope) return { kind: 'malformed', reason: envelope.error };
  const unwrapped = envelope ? { value: envelope.events ?? null, path: joinPath(outer.path, 'events') } : outer;
  const { events, problems } = extractAuditEvents(unwrapped.value);
  const prefix = (path: string) => joinPath(unwrapped.path, path);
  // Bare events, arrays and list pages keep their paths as they are (no copy per event).
  const located =
    unwrapped.path === '' ? events : events.map((event) => ({ path: prefix(event.path), event: event.event }));
  const described =
    unwrapped.path === ''
      ? problems
      : problems.map((problem) => ({ path: prefix(problem.path), reason: problem.reason }));
  if (located.length === 0 && described.length > 0) {
    const first = described[0];
    const where = first?.path ? `${first.path}: ` : '';
    const more = described.length > 1 ? ` (and ${described.length - 1} more)` : '';
    return { kind: 'malformed', reason: `no audit event in the body: ${where}${first?.reason ?? ''}${more}` };
  }
  const content: {
    -readonly [K in keyof Extract<MessageContent, { kind: 'events' }>]: Extract<MessageContent, { kind: 'events' }>[K];
  } = {
    kind: 'events',
    events: located,
    problems: described,
    rejected: rejectedItems(unwrapped.value, problems),
  };
  if (envelope) {
    content.organization = envelope.header.organization;
    content.source = envelope.header.source;
  }
  return content;
}
