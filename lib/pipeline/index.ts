// The public surface of lib/pipeline: what other parts of lib/ and functions/ may import from it
// (ESLint's project-boundaries rule, eslint.config.js). Inside lib/pipeline, modules import each other directly.
export { type AlertDocument } from './alerts/alert-document.ts';
export { TRIMMED_KEYS_FIELD } from './alerts/sns-message.ts';
export { DEFAULT_LEASE_SECONDS, LEASE_MARGIN_SECONDS, REPLAY_HORIZON_SECONDS } from './dedup/constants.ts';
export { createDetectionHandler } from './detect/create-handler.ts';
export { type DetectConfig } from './detect/detect-config.ts';
export { MATCH_OUTCOME_MESSAGES } from './detect/log-messages.ts';
export { type DetectionMetric, type Telemetry } from './detect/telemetry.ts';
