import { SEVERITIES, parseSeverity } from '../detection/engine/severity.ts';
import { DEFAULT_SCOPE_POLICY } from '../detection/rules/openai/default-scope-policy.ts';
import { ScopePolicyError } from '../detection/rules/openai/errors.ts';
import type { ScopePolicy, ScopePolicyEntry } from '../detection/rules/openai/scope-policy.ts';
import { JsonNode } from './json-document.ts';

const TOP_LEVEL_KEYS = ['includeDefaults', 'elevatedScopes', 'unrestrictedKeys', 'unrecordedScopesSeverity'];
const ENTRY_KEYS = ['exact', 'glob', 'severity', 'note'];
const SEVERITY = `one of ${SEVERITIES.join(', ')}`;

function parseEntry(node: JsonNode): ScopePolicyEntry {
  node.object({ allowed: ENTRY_KEYS });
  const exact = node.at('exact');
  const glob = node.at('glob');
  if (exact.present === glob.present) node.fail('needs exactly one of "exact" or "glob"');
  const field = exact.present ? exact : glob;
  const pattern = field.string();
  if (pattern.trim() === '') field.fail('is empty; blank scopes never match');
  const severity = node.at('severity').choice(parseSeverity, SEVERITY);
  const note = node.at('note');
  const base = note.present ? { severity, note: note.string() } : { severity };
  return exact.present ? { exact: pattern, ...base } : { glob: pattern, ...base };
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
  const root = JsonNode.parse(text, source, ScopePolicyError);
  root.object({ allowed: TOP_LEVEL_KEYS });
  const include = root.at('includeDefaults');
  // A null includeDefaults reads as absent (false), as it always has.
  const includeDefaults = include.present && include.value !== null && include.boolean();
  const list = root.at('elevatedScopes');
  const entries = list.items().map(parseEntry);
  if (entries.length === 0 && !includeDefaults)
    list.fail('is empty, so the rule could never fire (disable the rule instead, or set includeDefaults)');
  const elevatedScopes = includeDefaults ? [...DEFAULT_SCOPE_POLICY.elevatedScopes, ...entries] : entries;
  const policy: { -readonly [K in keyof ScopePolicy]: ScopePolicy[K] } = { elevatedScopes };
  const unrestrictedKeys = root.at('unrestrictedKeys');
  if (unrestrictedKeys.present) policy.unrestrictedKeys = unrestrictedKeys.boolean();
  const unrecorded = root.at('unrecordedScopesSeverity');
  if (unrecorded.present)
    policy.unrecordedScopesSeverity =
      unrecorded.value === null ? null : unrecorded.choice(parseSeverity, `${SEVERITY} or null`);
  return policy;
}
