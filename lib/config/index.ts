export { readDetectConfig, type DetectConfig } from './detect-config.ts';
export { readDeliveryConfig, type DeliveryConfig } from './delivery-config.ts';
export { ConfigError } from './errors.ts';
export { SCOPE_POLICY_ENV, SCOPE_POLICY_FILE_ENV, loadScopePolicy } from './scope-policy-file.ts';
export { RULES_CONFIG_ENV, RULES_CONFIG_FILE_ENV, loadCatalogConfig, loadRulesSettings } from './rules-config-file.ts';
