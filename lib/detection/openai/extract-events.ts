import { typeName } from '../../shared/describe-error.ts';
import { isJsonObject, ownValue, type JsonObject } from '../../shared/json.ts';

/** An audit event found in an input, with where it was (`''`, `[3]`, `data[3]`). */
export interface LocatedEvent {
  readonly path: string;
  readonly event: JsonObject;
}

/** Something in an input that is not an audit event, with where and why. */
export interface InputProblem {
  readonly path: string;
  readonly reason: string;
}

/** The events of one input value, and what could not be used. */
export interface ExtractedEvents {
  readonly events: readonly LocatedEvent[];
  readonly problems: readonly InputProblem[];
}

function requiredText(event: JsonObject, field: string): string | undefined {
  const value = ownValue(event, field);
  if (value === undefined) return `missing required field "${field}"`;
  if (typeof value !== 'string') return `"${field}" must be a string, got ${typeName(value)}`;
  if (value.trim() === '') return `"${field}" is empty`;
  return undefined;
}

/**
 * Why a value is not a usable audit event (an object with non-empty string `id` and `type`, the
 * fields OpenAI's schema requires and every rule and the dedup key rely on), or `undefined` if it is.
 *
 * @example
 * ```ts
 * auditEventProblem({ id: 'a', type: 7 }); // '"type" must be a string, got number'
 * ```
 */
export function auditEventProblem(value: unknown): string | undefined {
  if (!isJsonObject(value)) return `expected an audit event object, got ${typeName(value)}`;
  return requiredText(value, 'type') ?? requiredText(value, 'id');
}

function isListPage(value: JsonObject): boolean {
  return ownValue(value, 'object') === 'list' && Object.hasOwn(value, 'data');
}

/**
 * The audit events in one parsed JSON value: a single event, an array of events, or an OpenAI list
 * page (`{"object": "list", "data": [...]}`). Every element is checked; bad ones are reported with
 * their path and reason and the others are kept.
 *
 * @example
 * ```ts
 * const { events, problems } = extractAuditEvents(JSON.parse(body));
 * ```
 */
export function extractAuditEvents(value: unknown): ExtractedEvents {
  let items: readonly unknown[];
  let prefix: string;
  if (Array.isArray(value)) {
    items = value;
    prefix = '';
  } else if (isJsonObject(value) && isListPage(value)) {
    const data = ownValue(value, 'data');
    if (!Array.isArray(data)) {
      return {
        events: [],
        problems: [{ path: 'data', reason: `list page "data" must be an array, got ${typeName(data)}` }],
      };
    }
    items = data;
    prefix = 'data';
  } else {
    const problem = auditEventProblem(value);
    return problem === undefined
      ? { events: [{ path: '', event: value as JsonObject }], problems: [] }
      : { events: [], problems: [{ path: '', reason: problem }] };
  }
  const events: LocatedEvent[] = [];
  const problems: InputProblem[] = [];
  items.forEach((item, index) => {
    const path = `${prefix}[${index}]`;
    const problem = auditEventProblem(item);
    if (problem === undefined) events.push({ path, event: item as JsonObject });
    else problems.push({ path, reason: problem });
  });
  return { events, problems };
}
