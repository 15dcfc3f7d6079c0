// Alert delivery: from the delivery queues (one per destination, subscribed to the alert topic with
// filter policies) to PagerDuty, Slack and signed webhooks. Email stays an SNS subscription.
export { alertFromDeliveryMessage, escalatedFrom, type ParsedAlertMessage } from './alert-message.ts';
export * from './constants.ts';
export { createDeliveryHandler, type DeliveryHandler, type DeliveryHandlerOptions } from './create-handler.ts';
export { deliverBatch, type DeliveryDependencies, type DeliveryRecord } from './deliver-batch.ts';
export { DESTINATION_NAMES, type Destination, type DestinationName, type DeliveryRequest } from './destination.ts';
export { isDestinationUrl, pagerDutyDestination, slackDestination, webhookDestination } from './destinations.ts';
export { DestinationSecretError } from './errors.ts';
export {
  PAGERDUTY_SEVERITY,
  PAGERDUTY_SOURCE,
  pagerDutyEventBody,
  type PagerDutyEvent,
  type PagerDutySeverity,
} from './pagerduty.ts';
export { powertoolsDeliveryTelemetry } from './powertools-telemetry.ts';
export { queueName, queueVisibility } from './queue-visibility.ts';
export { DEFAULT_RETRY_POLICY, deferSeconds, inlineWaitMs, type RetryPolicy } from './retry-policy.ts';
export { sendRequest, type SendOptions, type SendOutcome } from './send.ts';
export { mrkdwnText, slackMessage, type SlackBlock, type SlackMessage, type SlackText } from './slack.ts';
export type { DeliveryMetric, DeliveryTelemetry, LogFields } from './telemetry.ts';
export { WEBHOOK_EVENT_TYPES, webhookDelivery } from './webhook.ts';
