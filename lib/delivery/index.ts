// The public surface of lib/delivery: what other parts of lib/ and functions/ may import from it
// (ESLint's project-boundaries rule, eslint.config.js). Inside lib/delivery, modules import each other directly.
export {
  PAGERDUTY_DEDUP_KEY_MAX_CHARS,
  PAGERDUTY_EVENTS_URL,
  PAGERDUTY_MAX_REQUEST_BYTES,
  PAGERDUTY_ROUTING_KEY_LENGTH,
  PAGERDUTY_SUMMARY_MAX_CHARS,
  SLACK_FIELD_MAX_CHARS,
  SLACK_HEADER_MAX_CHARS,
  SLACK_MAX_BLOCKS,
  SLACK_MAX_CONTEXT_ELEMENTS,
  SLACK_MAX_FIELDS,
  SLACK_SECTION_TEXT_MAX_CHARS,
} from './constants.ts';
export { createDeliveryHandler } from './create-handler.ts';
export { type DeliveryRecord } from './deliver-batch.ts';
export { type DeliveryConfig } from './delivery-config.ts';
export { type DestinationName } from './destination.ts';
export { isDestinationUrl } from './destinations.ts';
export { deliveryRecord } from './lambda-record.ts';
export { powertoolsDeliveryTelemetry } from './powertools-telemetry.ts';
export { type DeliveryMetric, type DeliveryTelemetry } from './telemetry.ts';
