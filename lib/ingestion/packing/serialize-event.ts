import { isJsonObject, ownValue } from '../../shared/json.ts';
import { printable } from '../../shared/printable.ts';
import { EXCERPT_CHARS, MAX_EVENT_BYTES, MAX_EVENT_DEPTH } from './constants.ts';

/** An event as it will travel, or why it cannot. */
export type SerializedEvent =
  | { readonly ok: true; readonly json: string; readonly bytes: number }
  | { readonly ok: false; readonly reason: string; readonly excerpt: string };

/** Limits an event must respect to be sent. */
export interface EventLimits {
  readonly maxBytes?: number;
  readonly maxDepth?: number;
}

/**
 * Nesting depth of a JSON value, walked without recursion and abandoned past `limit`: a hostile
 * value cannot exhaust the stack here.
 */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(item.value) ? item.value : Object.values(item.value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth });
    }
  }
  return deepest;
}

/** The identifying fields of an event, for an excerpt of one that cannot be kept whole. */
function identifyingJson(event: unknown): string {
  if (!isJsonObject(event)) return JSON.stringify({ value: Array.isArray(event) ? 'array' : typeof event });
  const pick: Record<string, unknown> = {};
  for (const field of ['id', 'type', 'effective_at']) {
    const value = ownValue(event, field);
    if (typeof value === 'string' || typeof value === 'number')
      pick[field] = typeof value === 'string' ? value.slice(0, 200) : value;
  }
  return JSON.stringify(pick);
}

/**
 * SQS refuses the noncharacters U+FFFE and U+FFFF in a message (as it refuses control characters,
 * which `JSON.stringify` escapes): one such character in any string of an event, an API key's name
 * for instance, would make its batch fail on every attempt. `JSON.stringify` leaves them raw, and
 * only ever inside a string, where their escapes are the same value.
 */
function escapeRefusedBySqs(json: string): string {
  return json.replace(/[\ufffe\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);
}

/**
 * Serialises one event for the queue, or says why it cannot travel: nested deeper than
 * {@link MAX_EVENT_DEPTH}, not serialisable, or larger than {@link MAX_EVENT_BYTES}. Never throws:
 * one hostile event must not stop the others.
 *
 * @example
 * ```ts
 * const result = serializeEvent(event);
 * if (!result.ok) deadLetter(result.reason, result.excerpt);
 * ```
 */
export function serializeEvent(event: unknown, limits: EventLimits = {}): SerializedEvent {
  const maxDepth = limits.maxDepth ?? MAX_EVENT_DEPTH;
  const maxBytes = limits.maxBytes ?? MAX_EVENT_BYTES;
  const depth = nestingDepth(event, maxDepth);
  if (depth > maxDepth) {
    return {
      ok: false,
      reason: `the event nests objects and arrays deeper than ${maxDepth} levels`,
      excerpt: identifyingJson(event),
    };
  }
  let json: string;
  try {
    json = escapeRefusedBySqs(JSON.stringify(event));
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    return {
      ok: false,
      reason: `the event cannot be serialised as JSON (${printable(why, 200)})`,
      excerpt: identifyingJson(event),
    };
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) {
    return {
      ok: false,
      reason: `the event is ${bytes} bytes as JSON; a queue message holds at most ${maxBytes}`,
      excerpt: json.slice(0, EXCERPT_CHARS),
    };
  }
  return { ok: true, json, bytes };
}
