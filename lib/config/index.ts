// The public surface of lib/config: what other parts of lib/ and functions/ may import from it
// (ESLint's project-boundaries rule, eslint.config.js). Inside lib/config, modules import each other directly.
export { type DeliveryConfig, readDeliveryConfig } from './delivery-config.ts';
export { readDetectConfig } from './detect-config.ts';
export { httpsUrl } from './https-url.ts';
export { readPollConfig } from './poll-config.ts';
export { loadCatalogConfig, RULES_CONFIG_FILE_ENV } from './rules-config-file.ts';
export { loadScopePolicy, SCOPE_POLICY_FILE_ENV } from './scope-policy-file.ts';
export { readWebhookConfig } from './webhook-config.ts';
