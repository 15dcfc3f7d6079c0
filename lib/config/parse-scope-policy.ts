import { typeName } from '../shared/describe-error.ts';
import { SEVERITIES, parseSeverity } from '../detection/engine/severity.ts';
import { isJsonObject, ownValue, type JsonObject } from '../shared/json.ts';
import { printable, quote } from '../shared/printable.ts';
import { DEFAULT_SCOPE_POLICY } from '../detection/rules/openai/default-scope-policy.ts';
import { ScopePolicyError } from '../detection/rules/openai/errors.ts';
import type { ScopePolicy, ScopePolicyEntry } from '../detection/rules/openai/scope-policy.ts';

const TOP_LEVEL_KEYS = ['includeDefaults', 'elevatedScopes', 'unrestrictedKeys', 'unrecordedScopesSeverity'];
const ENTRY_KEYS = ['exact', 'glob', 'severity', 'note'];

function unknownKeys(value: JsonObject, allowed: readonly string[]): string[] {
  return Object.keys(value).filter((key) => !allowed.includes(key));
}

function parseEntry(value: unknown, path: string, fail: (path: string, message: string) => never): ScopePolicyEntry {
  if (!isJsonObject(value)) fail(path, `expected an object, got ${typeName(value)}`);
  const extra = unknownKeys(value, ENTRY_KEYS);
  if (extra.length > 0) fail(path, `unknown key ${quote(extra[0] ?? '')} (allowed: ${ENTRY_KEYS.join(', ')})`);
  const exact = ownValue(value, 'exact');
  const glob = ownValue(value, 'glob');
  if ((exact === undefined) === (glob === undefined)) fail(path, 'needs exactly one of "exact" or "glob"');
  const field = exact === undefined ? 'glob' : 'exact';
  const pattern = exact ?? glob;
  if (typeof pattern !== 'string') fail(`${path}.${field}`, `expected a string, got ${typeName(pattern)}`);
  if (pattern.trim() === '') fail(`${path}.${field}`, 'is empty; blank scopes never match');
  const rawSeverity = ownValue(value, 'severity');
  const severity = parseSeverity(rawSeverity);
  if (!severity) {
    const got = typeof rawSeverity === 'string' ? quote(rawSeverity) : typeName(rawSeverity);
    fail(`${path}.severity`, `expected one of ${SEVERITIES.join(', ')}, got ${got}`);
  }
  const note = ownValue(value, 'note');
  if (note !== undefined && typeof note !== 'string') fail(`${path}.note`, `expected a string, got ${typeName(note)}`);
  const base = note === undefined ? { severity } : { severity, note };
  return field === 'exact' ? { exact: pattern, ...base } : { glob: pattern, ...base };
}

/**
 * Parses and validates an elevated-scope policy document:
 *
 * ```json
 * { "includeDefaults": true,
 *   "elevatedScopes": [ { "glob": "*.ip_allowlist.write", "severity": "HIGH", "note": "why" } ] }
 * ```
 *
 * Each entry has exactly one of `exact` or `glob`, and a `severity`. With `includeDefaults: true`
 * the entries are added to the default policy; otherwise they replace it. Optional:
 * `unrestrictedKeys` (boolean, default true: a key with an empty scope list holds every permission)
 * and `unrecordedScopesSeverity` (a severity, or `null` for no alert; default MEDIUM). Throws
 * {@link ScopePolicyError} naming `source`, the path and the reason.
 *
 * @example
 * ```ts
 * const policy = parseScopePolicy(readFileSync(file, 'utf8'), file);
 * ```
 */
export function parseScopePolicy(text: string, source: string): ScopePolicy {
  const fail: (path: string, message: string) => never = (path, message) => {
    throw new ScopePolicyError(`${source}: ${path ? `${path}: ` : ''}${message}`);
  };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    fail('', `not valid JSON (${error instanceof Error ? printable(error.message) : 'parse error'})`);
  }
  if (!isJsonObject(document)) return fail('', `expected a JSON object, got ${typeName(document)}`);
  const extra = unknownKeys(document, TOP_LEVEL_KEYS);
  if (extra.length > 0) fail('', `unknown key ${quote(extra[0] ?? '')} (allowed: ${TOP_LEVEL_KEYS.join(', ')})`);
  const includeDefaults = ownValue(document, 'includeDefaults') ?? false;
  if (typeof includeDefaults !== 'boolean')
    fail('includeDefaults', `expected a boolean, got ${typeName(includeDefaults)}`);
  const list = ownValue(document, 'elevatedScopes');
  if (!Array.isArray(list)) return fail('elevatedScopes', `expected an array, got ${typeName(list)}`);
  const entries = list.map((entry, index) => parseEntry(entry, `elevatedScopes[${index}]`, fail));
  if (entries.length === 0 && !includeDefaults) {
    fail('elevatedScopes', 'is empty, so the rule could never fire (disable the rule instead, or set includeDefaults)');
  }
  const elevatedScopes = includeDefaults ? [...DEFAULT_SCOPE_POLICY.elevatedScopes, ...entries] : entries;
  const policy: { -readonly [K in keyof ScopePolicy]: ScopePolicy[K] } = { elevatedScopes };
  const unrestrictedKeys = ownValue(document, 'unrestrictedKeys');
  if (unrestrictedKeys !== undefined) {
    if (typeof unrestrictedKeys !== 'boolean')
      fail('unrestrictedKeys', `expected a boolean, got ${typeName(unrestrictedKeys)}`);
    policy.unrestrictedKeys = unrestrictedKeys;
  }
  if (Object.hasOwn(document, 'unrecordedScopesSeverity')) {
    const raw = ownValue(document, 'unrecordedScopesSeverity');
    if (raw === null) policy.unrecordedScopesSeverity = null;
    else {
      const severity = parseSeverity(raw);
      if (!severity) {
        const got = typeof raw === 'string' ? quote(raw) : typeName(raw);
        fail('unrecordedScopesSeverity', `expected one of ${SEVERITIES.join(', ')} or null, got ${got}`);
      }
      policy.unrecordedScopesSeverity = severity;
    }
  }
  return policy;
}
