import { typeName } from '../shared/describe-error.ts';
import { RulesConfigError } from '../detection/engine/errors.ts';
import type { KnownRule } from '../detection/engine/known-rule.ts';
import {
  parseCidr,
  type RuleSettings,
  type RuleSuppression,
  type RulesSettings,
} from '../detection/engine/rule-settings.ts';
import { SEVERITIES, parseSeverity } from '../detection/engine/severity.ts';
import { isJsonObject, ownValue, type JsonObject } from '../shared/json.ts';
import { printable, quote } from '../shared/printable.ts';

export type { KnownRule };

/** Most entries in one suppression list: a configuration, not a database. */
export const MAX_SUPPRESSION_ENTRIES = 1000;

const TOP_LEVEL_KEYS = ['rules'];
const RULE_KEYS = ['enabled', 'severity', 'suppress'];
const SUPPRESS_KEYS = ['actorIds', 'actorEmails', 'serviceAccountIds', 'sourceCidrs'] as const;

type Fail = (path: string, message: string) => never;

function unknownKey(value: JsonObject, allowed: readonly string[]): string | undefined {
  return Object.keys(value).find((key) => !allowed.includes(key));
}

function parseSuppress(value: unknown, path: string, fail: Fail): RuleSuppression {
  if (!isJsonObject(value)) fail(path, `expected an object, got ${typeName(value)}`);
  const extra = unknownKey(value, SUPPRESS_KEYS);
  if (extra !== undefined) fail(path, `unknown key ${quote(extra)} (allowed: ${SUPPRESS_KEYS.join(', ')})`);
  const suppression: { -readonly [K in keyof RuleSuppression]: RuleSuppression[K] } = {};
  for (const key of SUPPRESS_KEYS) {
    const list = ownValue(value, key);
    if (list === undefined) continue;
    if (!Array.isArray(list)) fail(`${path}.${key}`, `expected a list of strings, got ${typeName(list)}`);
    if (list.length > MAX_SUPPRESSION_ENTRIES)
      fail(`${path}.${key}`, `has ${list.length} entries, more than ${MAX_SUPPRESSION_ENTRIES}`);
    const entries = list.map((entry, index) => {
      if (typeof entry !== 'string' || entry.trim() === '')
        fail(`${path}.${key}[${index}]`, `expected a non-empty string, got ${typeName(entry)}`);
      if (key === 'sourceCidrs') {
        const parsed = parseCidr(entry);
        if (typeof parsed === 'string') fail(`${path}.${key}[${index}]`, parsed);
      }
      return entry.trim();
    });
    suppression[key] = entries;
  }
  return suppression;
}

function parseRule(value: unknown, path: string, rule: KnownRule, fail: Fail): RuleSettings {
  if (!isJsonObject(value)) fail(path, `expected an object, got ${typeName(value)}`);
  const extra = unknownKey(value, RULE_KEYS);
  if (extra !== undefined) fail(path, `unknown key ${quote(extra)} (allowed: ${RULE_KEYS.join(', ')})`);
  const settings: { -readonly [K in keyof RuleSettings]: RuleSettings[K] } = {};
  const enabled = ownValue(value, 'enabled');
  if (enabled !== undefined) {
    if (typeof enabled !== 'boolean') fail(`${path}.enabled`, `expected true or false, got ${typeName(enabled)}`);
    settings.enabled = enabled;
  }
  const rawSeverity = ownValue(value, 'severity');
  if (rawSeverity !== undefined) {
    const severity = parseSeverity(rawSeverity);
    if (!severity) {
      const got = typeof rawSeverity === 'string' ? quote(rawSeverity) : typeName(rawSeverity);
      fail(`${path}.severity`, `expected one of ${SEVERITIES.join(', ')}, got ${got}`);
    }
    if (rule.kind === 'signal')
      fail(`${path}.severity`, `${rule.id} is a signal and never alerts; a severity would have no effect`);
    settings.severity = severity;
  }
  const suppress = ownValue(value, 'suppress');
  if (suppress !== undefined) {
    if (rule.kind === 'correlation') {
      fail(`${path}.suppress`, `${rule.id} correlates other rules' matches; suppress those rules' matches instead`);
    }
    settings.suppress = parseSuppress(suppress, `${path}.suppress`, fail);
  }
  return settings;
}

/**
 * Parses and validates a rules configuration document against the registered rules:
 *
 * ```json
 * { "rules": {
 *     "OpenAI.SCIM.Configuration.Change": { "severity": "CRITICAL" },
 *     "OpenAI.Login.Failed": { "suppress": { "sourceCidrs": ["10.0.0.0/8"] } },
 *     "OpenAI.BruteForce.Login.Success.Group": { "enabled": false } } }
 * ```
 *
 * Per rule: `enabled`, `severity` (replaces what the rule computes), and `suppress` (matches from
 * `actorIds`, `actorEmails`, `serviceAccountIds` or `sourceCidrs` are not alerted, but counted).
 * Throws {@link RulesConfigError} naming `source`, the JSON path and the problem: an unknown rule
 * id, key, severity or CIDR, or disabling a rule an enabled correlation rule reads.
 *
 * @example
 * ```ts
 * const settings = parseRulesSettings(readFileSync(file, 'utf8'), file, knownRules);
 * ```
 */
export function parseRulesSettings(text: string, source: string, known: readonly KnownRule[]): RulesSettings {
  const fail: Fail = (path, message) => {
    throw new RulesConfigError(`${source}: ${path ? `${path}: ` : ''}${message}`);
  };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    fail('', `not valid JSON (${error instanceof Error ? printable(error.message) : 'parse error'})`);
  }
  if (!isJsonObject(document)) return fail('', `expected a JSON object, got ${typeName(document)}`);
  const extra = unknownKey(document, TOP_LEVEL_KEYS);
  if (extra !== undefined) fail('', `unknown key ${quote(extra)} (allowed: ${TOP_LEVEL_KEYS.join(', ')})`);
  const rules = ownValue(document, 'rules');
  if (rules === undefined) return {};
  if (!isJsonObject(rules)) return fail('rules', `expected an object keyed by rule id, got ${typeName(rules)}`);
  const byId = new Map(known.map((rule) => [rule.id, rule]));
  const settings: Record<string, RuleSettings> = {};
  for (const [id, value] of Object.entries(rules)) {
    const path = `rules[${JSON.stringify(id)}]`;
    const rule = byId.get(id);
    if (rule === undefined) fail(path, `unknown rule id (known: ${known.map((r) => r.id).join(', ')})`);
    settings[id] = parseRule(value, path, rule, fail);
  }
  // A correlation can only see what its steps' rules match: turning one off silently blinds it.
  const enabled = (rule: KnownRule) => settings[rule.id]?.enabled ?? rule.enabled;
  for (const correlation of known.filter((rule) => rule.kind === 'correlation' && enabled(rule))) {
    for (const step of correlation.steps ?? []) {
      const stepRule = byId.get(step.ruleId);
      if (stepRule !== undefined && !enabled(stepRule)) {
        fail(
          `rules[${JSON.stringify(step.ruleId)}].enabled`,
          `${step.ruleId} is a step of ${correlation.id}, which stays enabled; disable ${correlation.id} too, or keep ${step.ruleId}`,
        );
      }
    }
  }
  return settings;
}
