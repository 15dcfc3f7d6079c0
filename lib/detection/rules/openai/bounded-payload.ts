import type { JsonObject, JsonValue } from '../../../shared/json.ts';
import { maskSecrets } from '../../../shared/mask-secrets.ts';

/** Bounds of a payload copied into an alert context. */
export const PAYLOAD_BOUNDS = {
  /** Objects and arrays nested deeper than this become `<TRUNCATED>`. */
  depth: 5,
  /** Members of an object, items of an array, kept at most. */
  members: 50,
  /** Characters of a text (after masking) kept at most, then `…`. */
  textLength: 500,
  /** Characters of texts and member names summed over the copy, past which nothing more is added. */
  budget: 8000,
} as const;

/** A payload copied within {@link PAYLOAD_BOUNDS}, and whether anything was left out or cut. */
export interface BoundedPayload {
  readonly value: JsonValue;
  readonly truncated: boolean;
}

/**
 * A bounded copy of an event's payload for an alert context, for event types whose payload OpenAI
 * does not describe: every text masked (API-key shapes) before it is cut, at most
 * `PAYLOAD_BOUNDS.members` members per object or array, `depth` levels and `budget` characters of
 * text in all; `truncated` says whether anything was left out. A `__proto__` member stays data.
 *
 * @example
 * ```ts
 * boundedPayload({ id: 'sso_1', note: 'x'.repeat(600) });
 * // { value: { id: 'sso_1', note: 'xxx…' (500 x and …) }, truncated: true }
 * ```
 */
export function boundedPayload(payload: JsonValue): BoundedPayload {
  let budget: number = PAYLOAD_BOUNDS.budget;
  let truncated = false;

  const text = (value: string): string => {
    const masked = maskSecrets(value);
    const cut = masked.length > PAYLOAD_BOUNDS.textLength ? `${masked.slice(0, PAYLOAD_BOUNDS.textLength)}…` : masked;
    if (cut !== masked) truncated = true;
    budget -= cut.length;
    return cut;
  };

  const full = (kept: number): boolean => {
    if (kept < PAYLOAD_BOUNDS.members && budget > 0) return false;
    truncated = true;
    return true;
  };

  const copy = (value: JsonValue, depth: number): JsonValue => {
    if (typeof value === 'string') return text(value);
    // Numbers, booleans and null count as a few characters.
    budget -= 4;
    if (value === null || typeof value !== 'object') return value;
    if (depth >= PAYLOAD_BOUNDS.depth) {
      truncated = true;
      return '<TRUNCATED>';
    }
    if (Array.isArray(value)) {
      const items: JsonValue[] = [];
      for (const item of value) {
        if (full(items.length)) break;
        items.push(copy(item, depth + 1));
      }
      return items;
    }
    const members: [string, JsonValue][] = [];
    for (const [name, member] of Object.entries(value)) {
      if (full(members.length)) break;
      members.push([text(name), copy(member, depth + 1)]);
    }
    // Object.fromEntries defines own properties: a `__proto__` member stays a member.
    return Object.fromEntries<JsonValue>(members);
  };

  const value = copy(payload, 0);
  return { value, truncated };
}

/**
 * The alert-context members of an event type without a payload schema: `payload`, the bounded copy
 * of whatever object the event carries under its type (`null` without one), and `payload_truncated`.
 *
 * @example
 * ```ts
 * Object.assign(context, payloadContext(event.details));
 * ```
 */
export function payloadContext(details: JsonObject | undefined): { payload: JsonValue; payload_truncated: boolean } {
  const payload = details === undefined ? undefined : boundedPayload(details);
  return { payload: payload?.value ?? null, payload_truncated: payload?.truncated ?? false };
}
