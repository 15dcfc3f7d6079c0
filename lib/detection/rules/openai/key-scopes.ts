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

/** A scope list as an event gives it: absent, `null`, or a list (read by {@link readScopes}). */
type ScopeList =
  | { readonly state: 'absent' | 'null' }
  | { readonly state: 'list'; readonly scopes: string[]; readonly empty: boolean };

const ABSENT: ScopeList = Object.freeze({ state: 'absent' });
const NULL_LIST: ScopeList = Object.freeze({ state: 'null' });

/**
 * Bounds on reading one scope list, so a malformed or hostile event costs little: scope lists are
 * short (OpenAI's restricted keys carry a few dozen scopes at most).
 *
 * - `items`: list entries and scopes read, at most. Each entry counts one, and a string that splits
 *   into several scopes counts one per scope; what lies past the bound is not read.
 * - `depth`: lists nested at most this deep are read (`[["all"]]` is 2 deep), whether written as
 *   JSON arrays, index-keyed objects or JSON inside a string; deeper lists are skipped.
 * - `characters`: characters of text read, summed over the list's strings. A string cut at the
 *   bound loses its last, possibly partial, scope, so `allow` never reads as `all`.
 */
// Items and characters above what one queue message can hold (256 KiB): no event that reaches a rule
// is cut, so no scope can be hidden behind filler; they only bound a malformed value elsewhere.
export const SCOPE_READ_LIMITS = Object.freeze({ items: 262_144, depth: 4, characters: 4_194_304 });

/**
 * Characters that render as nothing (Unicode's Default_Ignorable_Code_Point: zero-width space and
 * joiners, word joiner, soft hyphen, BOM, bidi controls, variation selectors, tag characters,
 * Hangul fillers): removed, so `a\u200bll` reads `all`.
 */
const HIDDEN = /\p{Default_Ignorable_Code_Point}/gu;
/** Anything but printable ASCII, which needs neither stripping nor NFKC. */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/u;
/** What separates scopes: whitespace (NBSP and the other Unicode spaces too), `,` `;` `|` and brackets. */
const SEPARATORS = /[\s,;|[\]]+/u;
/** Quotes around a scope, as Python's repr, CSV or a careless writer leave them. */
const QUOTES = /^["'`\u2018\u2019\u201c\u201d]+|["'`\u2018\u2019\u201c\u201d]+$/gu;
/** A blank string or an empty list as JSON, Go's fmt and Python's repr write it: `[]`. */
const EMPTY_TEXT = /^\s*(?:\[\s*\])?\s*$/u;
/** An array index as an object key, as flattening writes an array (`{"0": "all"}`); up to 9 digits. */
const INDEX_KEY = /^(?:0|[1-9]\d{0,8})$/u;

/** Text with hidden characters removed and compatibility forms folded (NFKC: `ａｌｌ` is `all`). */
function visibleText(text: string): string {
  if (!NOT_PRINTABLE_ASCII.test(text)) return text;
  // NFKC can itself produce a hidden character (U+3164 becomes U+1160): strip before and after.
  return text.replace(HIDDEN, '').normalize('NFKC').replace(HIDDEN, '');
}

/** What is left to read of one scope list, and the scopes read so far. */
interface Reader {
  items: number;
  characters: number;
  readonly scopes: string[];
}

function newReader(): Reader {
  return { items: SCOPE_READ_LIMITS.items, characters: SCOPE_READ_LIMITS.characters, scopes: [] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The entries of a list: an array, or an object whose keys are all array indices (an array
 * flattened to an object), in index order; at most `limit` of them. `undefined` for anything else,
 * an object without keys included.
 */
function listEntries(value: unknown, limit: number): readonly unknown[] | undefined {
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    return items.length > limit ? items.slice(0, limit) : items;
  }
  if (!isJsonObject(value)) return undefined;
  const entries: unknown[] = [];
  // Integer keys enumerate in ascending order; reading stops at the bound.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (!INDEX_KEY.test(key)) return undefined;
    if (entries.length === limit) break;
    entries.push(value[key]);
  }
  return entries.length > 0 ? entries : undefined;
}

/**
 * Reads one string, which may hold several scopes. A string that is one scope as it stands (nothing
 * hidden, no compatibility characters, separators, brackets or quotes: at most whitespace around it)
 * is kept as given, so the alert shows it unchanged; the policy trims it. Otherwise a JSON array or
 * index-keyed object is parsed and read as a nested list; any other text is split on separators
 * and each part loses its quotes. Blank parts are not scopes.
 */
function readText(text: string, depth: number, reader: Reader): void {
  const truncated = text.length > reader.characters;
  const taken = truncated ? text.slice(0, reader.characters) : text;
  reader.characters -= taken.length;
  const visible = visibleText(taken).trim();
  const first = visible.charAt(0);
  const last = visible.charAt(visible.length - 1);
  if (!truncated && ((first === '[' && last === ']') || (first === '{' && last === '}'))) {
    const entries = listEntries(parseJson(visible), SCOPE_READ_LIMITS.items);
    if (entries !== undefined) {
      readList(entries, depth + 1, reader);
      return;
    }
  }
  const parts = visible.split(SEPARATORS);
  // The last part of a cut string may be a cut scope: "allow" cut after "all" must not read "all".
  if (truncated) parts.pop();
  const scopes = parts.map((part) => part.replace(QUOTES, '')).filter((scope) => scope !== '');
  if (!truncated && scopes.length === 1 && scopes[0] === text.trim()) scopes[0] = text;
  for (const scope of scopes) {
    if (reader.items <= 0) return;
    reader.items -= 1;
    reader.scopes.push(scope);
  }
}

/**
 * Reads the entries of a list at nesting `depth`. A list that holds strings is the scope list: its
 * entries that are not strings are skipped (`[null, ["admin"], "api_keys:write"]` reads
 * `api_keys:write`). A list that holds no string is a list of lists (`[["all"]]`): its nested lists
 * are read.
 */
function readList(entries: readonly unknown[], depth: number, reader: Reader): void {
  if (depth > SCOPE_READ_LIMITS.depth) return;
  const holdsText = entries.some((entry) => typeof entry === 'string');
  for (const entry of entries) {
    if (reader.items <= 0) return;
    const before = reader.items;
    if (typeof entry === 'string') readText(entry, depth, reader);
    else if (!holdsText) {
      const nested = listEntries(entry, SCOPE_READ_LIMITS.items);
      if (nested !== undefined) readList(nested, depth + 1, reader);
    }
    // Every entry counts, even one that yields no scope.
    if (reader.items === before) reader.items -= 1;
  }
}

/**
 * The scopes a `scopes` value holds, however it arrived: a list of strings; a string holding a
 * list (JSON `'["a","b"]'`, Go's fmt `'[a b]'`, Python's repr `"['a', 'b']"`, or scopes separated
 * by whitespace, `,`, `;` or `|`); an object with index keys (`{"0": "a"}`); lists of lists
 * (`[["a"]]`). Each scope is read with zero-width and other invisible characters removed, NFKC
 * applied (full-width `ａｌｌ` is `all`), NBSP read as whitespace, and quotes around it dropped; a
 * string that is one scope as it stands is kept as given. Non-strings and blanks are not scopes.
 * Reading stops at {@link SCOPE_READ_LIMITS}. Case is kept: the policy compares lower-cased.
 *
 * @example
 * ```ts
 * readScopes("['api.model.read', 'a\u200bll']"); // ['api.model.read', 'all']
 * readScopes({ '0': 'ａｌｌ' });                    // ['all']
 * readScopes([['all']]);                           // ['all']
 * ```
 */
export function readScopes(value: unknown): string[] {
  const reader = newReader();
  if (typeof value === 'string') readText(value, 0, reader);
  else {
    const entries = listEntries(value, SCOPE_READ_LIMITS.items);
    if (entries !== undefined) readList(entries, 1, reader);
  }
  return reader.scopes;
}

/**
 * Reads a scope list given as a string, as log forwarders that flatten arrays write it (see
 * {@link readScopes}). One scope without separators stays one scope, so `allow` never reads `all`.
 *
 * @example
 * ```ts
 * flattenedScopes('api.model.read, all'); // ['api.model.read', 'all']
 * flattenedScopes('[all api.model.read]'); // ['all', 'api.model.read']
 * ```
 */
export function flattenedScopes(text: string): string[] {
  return readScopes(text);
}

/**
 * Whether a `scopes` value is an explicitly empty list: `[]`, a blank string (once hidden
 * characters are removed) or the text `[]`. A list of blanks, of non-strings or of empty lists, or
 * an object without keys, is not.
 */
function isEmptyList(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return (
    typeof value === 'string' && value.length <= SCOPE_READ_LIMITS.characters && EMPTY_TEXT.test(visibleText(value))
  );
}

function readScopeList(container: JsonValue | undefined): ScopeList {
  if (!isJsonObject(container) || !Object.hasOwn(container, 'scopes')) return ABSENT;
  const value = ownValue(container, 'scopes');
  if (value === null || value === undefined) return NULL_LIST;
  // A number, boolean or object that is not a list where a list belongs: present, not empty, no scope in it.
  return { state: 'list', scopes: readScopes(value), empty: isEmptyList(value) };
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
 * schema puts them there; its own list example uses `data`), merged without repeats. Each list is
 * read by {@link readScopes}: flattened, nested and disguised forms are read as the scopes they hold.
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
