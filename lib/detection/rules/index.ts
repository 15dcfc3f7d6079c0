import { RuleCatalog } from '../engine/catalog.ts';
import { openAiAuditLogType } from '../openai/log-type.ts';
import { createApiKeyAnomalousActivityRule } from './openai/api-key-anomalous-activity.ts';
import { DEFAULT_SCOPE_POLICY } from './openai/default-scope-policy.ts';
import type { ScopePolicy } from './openai/scope-policy.ts';

/** What the catalog's rules can be configured with. */
export interface CatalogConfig {
  /** Elevated-scope policy of `OpenAI.API.Key.Anomalous.Activity`. */
  readonly scopePolicy?: ScopePolicy;
}

/**
 * The rule catalog: every rule is registered here, once, under its log type.
 *
 * @example
 * ```ts
 * const catalog = createRuleCatalog({ scopePolicy });
 * catalog.evaluate('OpenAI.Audit', event).matches;
 * ```
 */
export function createRuleCatalog(config: CatalogConfig = {}): RuleCatalog {
  return new RuleCatalog().register(openAiAuditLogType, [
    createApiKeyAnomalousActivityRule(config.scopePolicy ?? DEFAULT_SCOPE_POLICY),
  ]);
}

export * from './openai/index.ts';
