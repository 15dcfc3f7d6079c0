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

/** Receives what {@link visitAuditEvents} finds, in order. */
export interface AuditEventVisitor {
  event(path: string, event: JsonObject): void;
  problem(path: string, reason: string): void;
}

/**
 * The audit events in one parsed JSON value, one by one: a single event, an array of events, or an
 * OpenAI list page (`{"object": "list", "data": [...]}`). Every element is checked and handed to
 * `visitor` as an event or a problem with its path; nothing is kept, so a caller may keep only
 * what it needs.
 *
 * @example
 * ```ts
 * let events = 0;
 * visitAuditEvents(JSON.parse(body), { event: () => events++, problem: (path, reason) => log(path, reason) });
 * ```
 */
export function visitAuditEvents(value: unknown, visitor: AuditEventVisitor): void {
  let items: readonly unknown[];
  let prefix: string;
  if (Array.isArray(value)) {
    items = value;
    prefix = '';
  } else if (isJsonObject(value) && isListPage(value)) {
    const data = ownValue(value, 'data');
    if (!Array.isArray(data)) {
      visitor.problem('data', `list page "data" must be an array, got ${typeName(data)}`);
      return;
    }
    items = data;
    prefix = 'data';
  } else {
    const problem = auditEventProblem(value);
    if (problem === undefined) visitor.event('', value as JsonObject);
    else visitor.problem('', problem);
    return;
  }
  items.forEach((item, index) => {
    const path = `${prefix}[${index}]`;
    const problem = auditEventProblem(item);
    if (problem === undefined) visitor.event(path, item as JsonObject);
    else visitor.problem(path, problem);
  });
}

/**
 * The audit events in one parsed JSON value (see {@link visitAuditEvents}), with every problem.
 *
 * @example
 * ```ts
 * const { events, problems } = extractAuditEvents(JSON.parse(body));
 * ```
 */
export function extractAuditEvents(value: unknown): ExtractedEvents {
  const events: LocatedEvent[] = [];
  const problems: InputProblem[] = [];
  visitAuditEvents(value, {
    event: (path, event) => events.push({ path, event }),
    problem: (path, reason) => problems.push({ path, reason }),
  });
  return { events, problems };
}
