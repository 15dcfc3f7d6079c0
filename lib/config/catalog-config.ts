import type { CatalogConfig } from '../detection/rules/create-rule-catalog.ts';
import { loadRulesConfig } from './rules-config-file.ts';
import { loadOwnDetections, ownRulesOf, type FolderDetection } from './rules-folder.ts';
import { loadScopePolicy } from './scope-policy-file.ts';

/**
 * Everything the rule catalog is configured with, from the environment: the elevated-scope policy,
 * the detections of the folder named by `RULES_DIR` (`loadOwnDetections`, unless given), and the
 * rules configuration (with the organization's domains), which may tune those detections too.
 * Throws `ScopePolicyError`, `RulesConfigError` or `ConfigError`.
 *
 * @example
 * ```ts
 * const catalog = createRuleCatalog(loadCatalogConfig(process.env));
 * ```
 */
export function loadCatalogConfig(
  env: Readonly<Record<string, string | undefined>>,
  detections: readonly FolderDetection[] = loadOwnDetections(env),
): CatalogConfig {
  const ownRules = ownRulesOf(detections);
  return { scopePolicy: loadScopePolicy(env), ownRules, ...loadRulesConfig(env, undefined, ownRules) };
}
