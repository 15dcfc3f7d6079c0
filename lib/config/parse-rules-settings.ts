import { RulesConfigError } from '../detection/engine/errors.ts';
import type { KnownRule } from '../detection/engine/known-rule.ts';
import {
  parseCidr,
  type RuleSettings,
  type RuleSuppression,
  type RulesSettings,
} from '../detection/engine/rule-settings.ts';
import { SEVERITIES, parseSeverity } from '../detection/engine/severity.ts';
import { JsonNode } from './json-document.ts';
import { MAX_DEDUP_PERIOD_MINUTES, MAX_THRESHOLD } from '../detection/engine/constants.ts';

export type { KnownRule };

/** Most entries in one suppression list: a configuration, not a database. */
export const MAX_SUPPRESSION_ENTRIES = 1000;

const TOP_LEVEL_KEYS = ['rules', 'orgDomains'];
const RULE_KEYS = ['enabled', 'severity', 'threshold', 'dedupPeriodMinutes', 'suppress'];

/** The longest dedup period the configuration may set (the engine's). */
export { MAX_DEDUP_PERIOD_MINUTES };
const SUPPRESS_KEYS = ['actorIds', 'actorEmails', 'serviceAccountIds', 'sourceCidrs'] as const;
const SEVERITY = `one of ${SEVERITIES.join(', ')}`;

function parseSuppress(node: JsonNode): RuleSuppression {
  node.object({ allowed: SUPPRESS_KEYS });
  const suppression: { -readonly [K in keyof RuleSuppression]: RuleSuppression[K] } = {};
  for (const key of SUPPRESS_KEYS) {
    const list = node.at(key);
    if (!list.present) continue;
    const items = list.items('a list of strings');
    if (items.length > MAX_SUPPRESSION_ENTRIES)
      list.fail(`has ${items.length} entries, more than ${MAX_SUPPRESSION_ENTRIES}`);
    suppression[key] = items.map((item) => {
      const entry = item.string('a non-empty string', (text) => text.trim() !== '');
      if (key === 'sourceCidrs') {
        const parsed = parseCidr(entry);
        if (typeof parsed === 'string') item.fail(parsed);
      }
      return entry.trim();
    });
  }
  return suppression;
}

/** Why a rule of each kind but `rule` takes no threshold. */
const WHY_NO_THRESHOLD: Readonly<Record<KnownRule['kind'], string>> = {
  rule: '',
  signal: 'it never alerts',
  correlation: 'it alerts on each finding',
  baseline: 'it alerts on each new value',
};

function parseRule(node: JsonNode, rule: KnownRule): RuleSettings {
  node.object({ allowed: RULE_KEYS });
  const settings: { -readonly [K in keyof RuleSettings]: RuleSettings[K] } = {};
  const enabled = node.at('enabled');
  if (enabled.present) settings.enabled = enabled.boolean('true or false');
  const severity = node.at('severity');
  if (severity.present) {
    settings.severity = severity.choice(parseSeverity, SEVERITY);
    if (rule.kind === 'signal')
      severity.fail(`${rule.id} is a signal and never alerts; a severity would have no effect`);
  }
  const threshold = node.at('threshold');
  if (threshold.present) {
    if (rule.kind !== 'rule')
      threshold.fail(`${rule.id} is a ${rule.kind}: ${WHY_NO_THRESHOLD[rule.kind]}; a threshold would have no effect`);
    settings.threshold = threshold.number(
      `an integer from 1 to ${MAX_THRESHOLD}`,
      (value) => Number.isInteger(value) && value >= 1 && value <= MAX_THRESHOLD,
    );
  }
  const period = node.at('dedupPeriodMinutes');
  if (period.present) {
    if (rule.kind === 'signal')
      period.fail(`${rule.id} is a signal and never alerts; a dedup period would have no effect`);
    settings.dedupPeriodMinutes = period.number(
      `a whole number of minutes from 1 to ${MAX_DEDUP_PERIOD_MINUTES}`,
      (value) => Number.isInteger(value) && value >= 1 && value <= MAX_DEDUP_PERIOD_MINUTES,
    );
  }
  const suppress = node.at('suppress');
  if (suppress.present) {
    if (rule.kind === 'correlation')
      suppress.fail(`${rule.id} correlates other rules' matches; suppress those rules' matches instead`);
    settings.suppress = parseSuppress(suppress);
  }
  return settings;
}

/** A rules configuration: the settings of rules by id, and the organization's own email domains. */
export interface RulesConfig {
  readonly rules: RulesSettings;
  /** Lower case, as configured; empty when not set. */
  readonly orgDomains: readonly string[];
}

/** A domain name as an email address ends: labels of letters, digits and hyphens, dot-separated. */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function parseOrgDomains(node: JsonNode): string[] {
  const items = node.items('a list of domain names');
  if (items.length > MAX_SUPPRESSION_ENTRIES)
    node.fail(`has ${items.length} entries, more than ${MAX_SUPPRESSION_ENTRIES}`);
  return items.map((item) =>
    item
      .string('a domain name such as example.com (no @, no scheme)', (text) => DOMAIN.test(text.trim().toLowerCase()))
      .trim()
      .toLowerCase(),
  );
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
 * Beside `rules`, `orgDomains`: the organization's own email domains (`["example.com"]`), which
 * rules that judge where a person comes from read (`OpenAI.Owner.Invitation`).
 * Throws {@link RulesConfigError} naming `source`, the JSON path and the problem: an unknown rule
 * id, key, severity or CIDR, or disabling a rule an enabled correlation rule reads.
 *
 * @example
 * ```ts
 * const { rules, orgDomains } = parseRulesConfig(readFileSync(file, 'utf8'), file, knownRules);
 * ```
 */
export function parseRulesConfig(text: string, source: string, known: readonly KnownRule[]): RulesConfig {
  const root = JsonNode.parse(text, source, RulesConfigError);
  root.object({ allowed: TOP_LEVEL_KEYS });
  const domains = root.at('orgDomains');
  const orgDomains = domains.present ? parseOrgDomains(domains) : [];
  const rules = root.at('rules');
  return { rules: rules.present ? parseRuleEntries(rules, known) : {}, orgDomains };
}

function parseRuleEntries(rules: JsonNode, known: readonly KnownRule[]): RulesSettings {
  const byId = new Map(known.map((rule) => [rule.id, rule]));
  const settings: Record<string, RuleSettings> = {};
  for (const [id, node] of rules.entries({ expected: 'an object keyed by rule id' })) {
    const rule = byId.get(id);
    if (rule === undefined) return node.fail(`unknown rule id (known: ${known.map((r) => r.id).join(', ')})`);
    settings[id] = parseRule(node, rule);
  }
  // A correlation can only see what its steps' rules match: turning one off silently blinds it.
  const enabled = (rule: KnownRule) => settings[rule.id]?.enabled ?? rule.enabled;
  for (const correlation of known.filter((rule) => rule.kind === 'correlation' && enabled(rule))) {
    for (const step of correlation.steps ?? []) {
      const stepRule = byId.get(step.ruleId);
      if (stepRule !== undefined && !enabled(stepRule)) {
        rules
          .entry(step.ruleId)
          .at('enabled')
          .fail(
            `${step.ruleId} is a step of ${correlation.id}, which stays enabled; disable ${correlation.id} too, or keep ${step.ruleId}`,
          );
      }
    }
  }
  return settings;
}
