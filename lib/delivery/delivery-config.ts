import type { LogLevel } from '../shared/log-level.ts';

/** Configuration of the delivery function, read once at cold start. */
export interface DeliveryConfig {
  /** `DEAD_LETTER_QUEUE_URL`: the delivery DLQ, for alerts refused for good and malformed messages. */
  readonly deadLetterQueueUrl: string;
  /** `LOG_LEVEL`: DEBUG, INFO (default), WARN or ERROR. */
  readonly logLevel: LogLevel;
  /** `RUNBOOK_BASE_URL` (optional, https): where PagerDuty and Slack link each rule's runbook. */
  readonly runbookBaseUrl?: string;
  /** Set when `PAGERDUTY_QUEUE_URL` is: the queue, `PAGERDUTY_ROUTING_KEY_PARAMETER`, `PAGERDUTY_EVENTS_URL`. */
  readonly pagerDuty?: { readonly queueUrl: string; readonly routingKeyParameter: string; readonly eventsUrl: string };
  /** Set when `SLACK_QUEUE_URL` is: the queue and `SLACK_WEBHOOK_URL_PARAMETER`. */
  readonly slack?: { readonly queueUrl: string; readonly webhookUrlParameter: string };
  /** Set when `ALERT_WEBHOOK_QUEUE_URL` is: the queue, `ALERT_WEBHOOK_URL` and `ALERT_WEBHOOK_SECRET_PARAMETER`. */
  readonly webhook?: { readonly queueUrl: string; readonly url: string; readonly secretParameter: string };
  /** Set when `ARCHIVE_QUEUE_URL` is: the alert archive queue and `ARCHIVE_BUCKET`. */
  readonly archive?: { readonly queueUrl: string; readonly bucket: string };
}
