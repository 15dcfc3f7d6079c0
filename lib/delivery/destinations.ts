import { CLIENT_NAME, PAGERDUTY_ROUTING_KEY_LENGTH } from './constants.ts';
import type { Destination, DeliveryRequest } from './destination.ts';
import { DestinationSecretError } from './errors.ts';
import { pagerDutyEventBody } from './pagerduty.ts';
import type { SecretSource } from './secrets.ts';
import { slackMessage } from './slack.ts';
import { webhookDelivery } from './webhook.ts';
import { webhookSecretKey } from './webhook-signature.ts';

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
 * PagerDuty Events API v2: the routing key from the SSM parameter `routingKeyParameter`.
 *
 * @example
 * ```ts
 * const pagerDuty = pagerDutyDestination({ eventsUrl: PAGERDUTY_EVENTS_URL, routingKeyParameter }, secrets);
 * ```
 */
export function pagerDutyDestination(settings: { eventsUrl: string; routingKeyParameter: string }, secrets: SecretSource): Destination {
  let known: string[] = [];
  return {
    name: 'pagerduty',
    async request(alert): Promise<DeliveryRequest> {
      const routingKey = await secrets.get(settings.routingKeyParameter);
      known = [routingKey];
      if (routingKey.length !== PAGERDUTY_ROUTING_KEY_LENGTH) {
        throw new DestinationSecretError(`the SSM parameter ${settings.routingKeyParameter} does not hold a PagerDuty integration key (${PAGERDUTY_ROUTING_KEY_LENGTH} characters)`);
      }
      return { url: settings.eventsUrl, body: pagerDutyEventBody(alert, routingKey), headers: JSON_HEADERS };
    },
    secrets: () => known,
  };
}

/**
 * Slack incoming webhook: the webhook URL (a secret: it is the credential) from the SSM parameter
 * `webhookUrlParameter`.
 *
 * @example
 * ```ts
 * const slack = slackDestination({ webhookUrlParameter: '/openai-audit-alerts/slack-webhook-url' }, secrets);
 * ```
 */
export function slackDestination(settings: { webhookUrlParameter: string }, secrets: SecretSource): Destination {
  let known: string[] = [];
  return {
    name: 'slack',
    async request(alert): Promise<DeliveryRequest> {
      const url = await secrets.get(settings.webhookUrlParameter);
      known = [url, url.replace(/^[a-z]+:\/\/[^/]+/, '')];
      if (!isDestinationUrl(url)) throw new DestinationSecretError(`the SSM parameter ${settings.webhookUrlParameter} does not hold an https URL`);
      return { url, body: JSON.stringify(slackMessage(alert)), headers: JSON_HEADERS };
    },
    secrets: () => known,
  };
}

/**
 * Generic webhook signed with Standard Webhooks: the URL as configured, the signing secret
 * (`whsec_...`) from the SSM parameter `secretParameter`.
 *
 * @example
 * ```ts
 * const webhook = webhookDestination({ url: 'https://siem.example.com/hooks/openai', secretParameter }, secrets);
 * ```
 */
export function webhookDestination(settings: { url: string; secretParameter: string }, secrets: SecretSource): Destination {
  let known: string[] = [];
  return {
    name: 'webhook',
    async request(alert, nowSeconds): Promise<DeliveryRequest> {
      const secret = await secrets.get(settings.secretParameter);
      known = [secret, secret.replace(/^whsec_/, '')];
      const key = webhookSecretKey(secret);
      if (typeof key === 'string') throw new DestinationSecretError(`the SSM parameter ${settings.secretParameter} does not hold a usable signing secret: ${key}`);
      const { body, headers } = webhookDelivery(alert, key, nowSeconds);
      return { url: settings.url, body, headers };
    },
    secrets: () => known,
  };
}
