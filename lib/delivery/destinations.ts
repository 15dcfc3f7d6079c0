import { CLIENT_NAME, PAGERDUTY_ROUTING_KEY_LENGTH } from './constants.ts';
import type { Destination, DeliveryRequest } from './destination.ts';
import { readCredentials } from '../ingestion/webhook/credentials.ts';
import { DestinationSecretError } from './errors.ts';
import { pagerDutyEventBody } from './pagerduty.ts';
import type { SecretSource } from '../ingestion/parameters/secure-parameter.ts';
import { slackMessage } from './slack.ts';
import { webhookDelivery } from './webhook.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * True for an `https://` URL, or an `http://` one on this machine (local receivers). Anything else
 * would send alerts, and signatures, in clear text.
 *
 * @example
 * ```ts
 * isDestinationUrl('https://hooks.slack.com/services/T/B/X'); // true
 * isDestinationUrl('http://example.com/hook');               // false
 * ```
 */
export function isDestinationUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

const JSON_HEADERS = { 'content-type': 'application/json', 'user-agent': CLIENT_NAME } as const;

/**
 * PagerDuty Events API v2: the routing key (an integration key) from its secret source.
 *
 * @example
 * ```ts
 * const pagerDuty = pagerDutyDestination({ eventsUrl: PAGERDUTY_EVENTS_URL }, routingKey);
 * ```
 */
export function pagerDutyDestination(
  settings: { eventsUrl: string; runbookBaseUrl?: string },
  routingKey: SecretSource,
): Destination {
  let known: string[] = [];
  return {
    name: 'pagerduty',
    async request(alert): Promise<DeliveryRequest> {
      const key = await routingKey.get();
      known = [key];
      if (key.length !== PAGERDUTY_ROUTING_KEY_LENGTH) {
        throw new DestinationSecretError(
          `${routingKey.description} does not hold a PagerDuty integration key (${PAGERDUTY_ROUTING_KEY_LENGTH} characters)`,
        );
      }
      return {
        url: settings.eventsUrl,
        body: pagerDutyEventBody(alert, key, settings.runbookBaseUrl),
        headers: JSON_HEADERS,
      };
    },
    secrets: () => known,
  };
}

/**
 * Slack incoming webhook: the webhook URL (a secret: it is the credential) from its secret source.
 *
 * @example
 * ```ts
 * const slack = slackDestination(webhookUrl);
 * ```
 */
export function slackDestination(webhookUrl: SecretSource, settings: { runbookBaseUrl?: string } = {}): Destination {
  let known: string[] = [];
  return {
    name: 'slack',
    async request(alert): Promise<DeliveryRequest> {
      const url = await webhookUrl.get();
      known = [url, url.replace(/^[a-z]+:\/\/[^/]+/, '')];
      if (!isDestinationUrl(url))
        throw new DestinationSecretError(`${webhookUrl.description} does not hold an https URL`);
      return { url, body: JSON.stringify(slackMessage(alert, settings.runbookBaseUrl)), headers: JSON_HEADERS };
    },
    secrets: () => known,
  };
}

/**
 * Generic webhook signed with Standard Webhooks: the URL as configured, the signing secret
 * (`whsec_...`; several, space-separated, during a rotation) from its secret source.
 *
 * @example
 * ```ts
 * const webhook = webhookDestination({ url: 'https://siem.example.com/hooks/openai' }, signingSecret);
 * ```
 */
export function webhookDestination(settings: { url: string }, signingSecret: SecretSource): Destination {
  let known: string[] = [];
  return {
    name: 'webhook',
    async request(alert, nowSeconds): Promise<DeliveryRequest> {
      const secret = await signingSecret.get();
      known = [secret, ...secret.split(/\s+/), ...secret.split(/\s+/).map((entry) => entry.replace(/^whsec_/, ''))];
      let keys: readonly Buffer[];
      try {
        // The same format as the ingestion webhook's secret: whsec_ secrets separated by spaces (sign
        // with all of them while the receiver rotates). Its messages never quote a secret.
        const credentials = readCredentials(secret);
        if (credentials.bearerTokens.length > 0)
          throw new Error('bearer tokens are not used to send alerts, only whsec_ signing secrets');
        keys = credentials.signingKeys;
      } catch (error) {
        throw new DestinationSecretError(
          `${signingSecret.description} does not hold usable signing secrets: ${error instanceof Error ? error.message : 'unreadable'}`,
        );
      }
      const { body, headers } = webhookDelivery(alert, keys, nowSeconds);
      return { url: settings.url, body, headers };
    },
    secrets: () => known,
  };
}
