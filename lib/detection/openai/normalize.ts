import { isJsonObject, ownValue, type JsonObject } from '../../shared/json.ts';
import { resolveActor } from './actor.ts';
import type { AuditEvent } from './audit-event.ts';
import { textMember } from './text-field.ts';

const EMPTY: JsonObject = Object.freeze({});

/**
 * The event's `type` when it is a string, read without allocating (this runs on every event).
 *
 * @example
 * ```ts
 * auditEventType({ type: 'login.failed' }); // 'login.failed'
 * auditEventType({ type: 7 });              // undefined
 * ```
 */
export function auditEventType(raw: unknown): string | undefined {
  if (!isJsonObject(raw)) return undefined;
  const type = ownValue(raw, 'type');
  return typeof type === 'string' ? type : undefined;
}

/**
 * The details object of an event: under its dotted type (OpenAI's shape), else under the type with
 * dots replaced by underscores (Panther's shape).
 *
 * @example
 * ```ts
 * eventDetails({ type: 'api_key.created', api_key_created: { id: 'k' } }, 'api_key.created'); // { id: 'k' }
 * ```
 */
export function eventDetails(raw: JsonObject, type: string | undefined): JsonObject | undefined {
  if (type === undefined || type === '') return undefined;
  const dotted = ownValue(raw, type);
  if (isJsonObject(dotted)) return dotted;
  const underscored = ownValue(raw, underscoredKey(type));
  return isJsonObject(underscored) ? underscored : undefined;
}

/** Event types seen, with their underscored form: the few types of a log are read again and again. */
const underscoredKeys = new Map<string, string>();
/** The cache's bound: types come from input, so past this many the form is computed each time. */
const MAX_UNDERSCORED_KEYS = 512;

/**
 * `type` with its dots replaced by underscores (Panther's payload key), computed once per type
 * (this runs on every event).
 *
 * @example
 * ```ts
 * underscoredKey('api_key.created'); // 'api_key_created'
 * ```
 */
export function underscoredKey(type: string): string {
  const known = underscoredKeys.get(type);
  if (known !== undefined) return known;
  const key = type.replaceAll('.', '_');
  if (underscoredKeys.size < MAX_UNDERSCORED_KEYS) underscoredKeys.set(type, key);
  return key;
}

function unixSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Normalises any value into an {@link AuditEvent}. Never throws; what is missing or of the wrong
 * type is `undefined`.
 *
 * @example
 * ```ts
 * const event = normalizeAuditEvent(JSON.parse(line));
 * event.actor.label; // 'alice@example.com'
 * ```
 */
export function normalizeAuditEvent(raw: unknown): AuditEvent {
  const event = isJsonObject(raw) ? raw : EMPTY;
  const type = auditEventType(event);
  const project = ownValue(event, 'project');
  const projectObject = isJsonObject(project) ? project : undefined;
  return {
    id: textMember(event, 'id'),
    type,
    effectiveAt: unixSeconds(ownValue(event, 'effective_at')),
    actor: resolveActor(ownValue(event, 'actor')),
    projectId: textMember(projectObject, 'id'),
    projectName: textMember(projectObject, 'name'),
    details: eventDetails(event, type),
    raw: event,
  };
}
