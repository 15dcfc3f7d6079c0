import type { AlertDocument } from '../pipeline/alerts/alert-document.ts';

/** The destinations that receive alerts over HTTP (email stays an SNS subscription). */
export const DESTINATION_NAMES = ['pagerduty', 'slack', 'webhook'] as const;

/** One of {@link DESTINATION_NAMES}. */
export type DestinationName = (typeof DESTINATION_NAMES)[number];

/** An HTTP POST ready to send: where, what, with which headers. */
export interface DeliveryRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A destination: turns an alert into the request its API expects. Secrets (routing key, Slack
 * webhook URL, signing secret) are read when the first request is built, not before.
 *
 * @example
 * ```ts
 * const request = await destination.request(alert, Math.floor(Date.now() / 1000));
 * ```
 */
export interface Destination {
  readonly name: DestinationName;
  request(alert: AlertDocument, nowSeconds: number): Promise<DeliveryRequest>;
  /** Strings that must never appear in a log line or a dead letter (the secrets in use). */
  secrets(): readonly string[];
}
