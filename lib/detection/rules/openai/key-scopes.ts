import type { AuditEvent } from '../../openai/audit-event.ts';
import { isJsonObject, ownValue, type JsonObject, type JsonValue } from '../../../shared/json.ts';

/** Event types whose payload grants scopes to a key. */
export const API_KEY_CREATED = 'api_key.created';
export const API_KEY_UPDATED = 'api_key.updated';

/**
 * What an API key event says about the key's permissions.
 *
 * - `scoped`: scopes are listed (possibly none usable, e.g. only blanks); judge them one by one.
 * - `unrestricted`: an empty scope list, which OpenAI's key API reads as every permission (an
 *   "All" key); `scopes` holds whatever other list the event also carried.
 * - `unrecorded`: a created key whose payload, or its `data`, is missing or `null`: the key exists
 *   and nothing says what it may do.
 * - `none`: nothing to judge: an update that does not touch scopes (a rename), a deletion, another
 *   event type, or a payload that is not an object at all.
 */
export type KeyPermissions =
  | { readonly kind: 'scoped'; readonly scopes: readonly string[] }
  | { readonly kind: 'unrestricted'; readonly scopes: readonly string[] }
  | { readonly kind: 'unrecorded' }
  | { readonly kind: 'none' };

const NONE: KeyPermissions = Object.freeze({ kind: 'none' });
const UNRECORDED: KeyPermissions = Object.freeze({ kind: 'unrecorded' });

/** A scope list as an event gives it: absent, `null`, or a list (after un-flattening). */
type ScopeList =
  | { readonly state: 'absent' | 'null' }
  | { readonly state: 'list'; readonly scopes: string[]; readonly empty: boolean };

const ABSENT: ScopeList = Object.freeze({ state: 'absent' });
const NULL_LIST: ScopeList = Object.freeze({ state: 'null' });

function stringsOf(items: readonly unknown[]): string[] {
  const scopes: string[] = [];
  for (const item of items) if (typeof item === 'string') scopes.push(item);
  return scopes;
}

/**
 * Reads a scope list given as a string, as log forwarders that flatten arrays write it: a
 * JSON-encoded array of strings (`'["a","b"]'`) is parsed; otherwise the string is split on commas
 * and whitespace (`'a,b'`, `'a b'`). One scope without separators stays one scope, so nothing else
 * changes meaning. A blank string or `'[]'` is an empty list.
 *
 * @example
 * ```ts
 * flattenedScopes('api.model.read, all'); // ['api.model.read', 'all']
 * flattenedScopes('["all"]');             // ['all']
 * ```
 */
export function flattenedScopes(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
    } catch {
      // Not JSON: read it as a separated list below.
    }
  }
  return trimmed.split(/[\s,]+/).filter((part) => part !== '');
}

function readScopeList(container: JsonValue | undefined): ScopeList {
  if (!isJsonObject(container) || !Object.hasOwn(container, 'scopes')) return ABSENT;
  const value = ownValue(container, 'scopes');
  if (value === null || value === undefined) return NULL_LIST;
  if (Array.isArray(value)) return { state: 'list', scopes: stringsOf(value), empty: value.length === 0 };
  if (typeof value === 'string') {
    const scopes = flattenedScopes(value);
    return { state: 'list', scopes, empty: scopes.length === 0 };
  }
  // A number, boolean or object where a list belongs: present, not empty, and nothing usable in it.
  return { state: 'list', scopes: [], empty: false };
}

function payloadIsMissingOrNull(raw: JsonObject, type: string): boolean {
  const dotted = ownValue(raw, type);
  const underscored = ownValue(raw, type.replaceAll('.', '_'));
  return (dotted === undefined || dotted === null) && (underscored === undefined || underscored === null);
}

function created(event: AuditEvent): KeyPermissions {
  const details = event.details;
  if (details === undefined) return payloadIsMissingOrNull(event.raw, API_KEY_CREATED) ? UNRECORDED : NONE;
  const data = ownValue(details, 'data');
  if (data === undefined || data === null) return UNRECORDED;
  if (!isJsonObject(data)) return NONE;
  const list = readScopeList(data);
  // OpenAI's key API reads a missing, null or empty scope list as "all permissions".
  if (list.state !== 'list' || list.empty)
    return { kind: 'unrestricted', scopes: list.state === 'list' ? list.scopes : [] };
  return { kind: 'scoped', scopes: list.scopes };
}

function updated(event: AuditEvent): KeyPermissions {
  const details = event.details;
  if (details === undefined) return NONE;
  const lists = [readScopeList(ownValue(details, 'data')), readScopeList(ownValue(details, 'changes_requested'))];
  const scopes = new Set<string>();
  let present = false;
  let unrestricted = false;
  for (const list of lists) {
    // A null in an update payload is how serialisers write "not changed": only an explicit empty
    // list grants every permission.
    if (list.state !== 'list') continue;
    present = true;
    if (list.empty) unrestricted = true;
    for (const scope of list.scopes) scopes.add(scope);
  }
  if (!present) return NONE;
  return { kind: unrestricted ? 'unrestricted' : 'scoped', scopes: [...scopes] };
}

/**
 * What an `api_key.created` or `api_key.updated` event grants (see {@link KeyPermissions}). Scopes
 * are read from `data.scopes`, and for updates also from `changes_requested.scopes` (OpenAI's
 * schema puts them there; its own list example uses `data`), merged without repeats. Non-string
 * entries are skipped; a string is un-flattened (see {@link flattenedScopes}).
 *
 * @example
 * ```ts
 * keyPermissions(normalizeAuditEvent({ type: 'api_key.created', 'api_key.created': { id: 'k', data: { scopes: [] } } }));
 * // { kind: 'unrestricted', scopes: [] }
 * ```
 */
export function keyPermissions(event: AuditEvent): KeyPermissions {
  if (event.type === API_KEY_CREATED) return created(event);
  if (event.type === API_KEY_UPDATED) return updated(event);
  return NONE;
}

/**
 * The scopes an API key event lists, whatever its {@link KeyPermissions} kind (none for
 * `unrecorded` and `none`).
 *
 * @example
 * ```ts
 * grantedScopes(normalizeAuditEvent({ type: 'api_key.updated',
 *   'api_key.updated': { changes_requested: { scopes: ['api.model.read'] } } })); // ['api.model.read']
 * ```
 */
export function grantedScopes(event: AuditEvent): readonly string[] {
  const permissions = keyPermissions(event);
  return permissions.kind === 'scoped' || permissions.kind === 'unrestricted' ? permissions.scopes : [];
}
