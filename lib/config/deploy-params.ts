import { parseRulesConfig } from './parse-rules-settings.ts';
import { createRuleCatalog } from '../detection/rules/create-rule-catalog.ts';
import { parseScopePolicy } from './parse-scope-policy.ts';

/** The deploy parameters that configure the rules, as `serverless.yml` passes them (JSON text or empty). */
export interface DetectionParams {
  readonly elevatedScopePolicy?: unknown;
  readonly rulesConfig?: unknown;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  // A parameter given as YAML in serverless.yml arrives as an object: it means its JSON.
  return (typeof value === 'string' ? value : JSON.stringify(value)).trim();
}

/**
 * Checks the rule configuration deploy parameters with the same parsers the function uses at cold
 * start, so a bad value stops `npm run package` instead of every cold start. Throws an `Error` whose
 * message names the parameter, the JSON path and the problem, e.g. `rulesConfig:
 * rules["OpenAI.Nope"]: unknown rule id (known: ...)`.
 *
 * @example
 * ```ts
 * checkDetectionParams({ elevatedScopePolicy: '', rulesConfig: '{"rules":{}}' });
 * ```
 */
export function checkDetectionParams(params: DetectionParams): void {
  const policy = text(params.elevatedScopePolicy);
  if (policy !== '') parseScopePolicy(policy, 'elevatedScopePolicy');
  const rules = text(params.rulesConfig);
  if (rules !== '') parseRulesConfig(rules, 'rulesConfig', createRuleCatalog().knownRules);
}
