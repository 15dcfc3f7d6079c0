import { handleWebhook, type WebhookDependencies } from './handle-webhook.ts';
import type { AcceptedBody, WebhookRequest, WebhookResponse } from './request.ts';

/** The metrics of the webhook (EMF, unit: count). */
export type WebhookMetric =
  /** Requests answered 202 (replays included). */
  | 'WebhookRequestsAccepted'
  /** Requests answered 4xx: unsigned, wrong signature, malformed body... */
  | 'WebhookRequestsRefused'
  /** Requests answered 5xx: the secret unreadable, the queue unavailable (the WebhookRequestsFailed alarm). */
  | 'WebhookRequestsFailed'
  /** Events put on the detection queue. */
  | 'WebhookEventsAccepted'
  /** Deliveries of a webhook-id already accepted: nothing enqueued. */
  | 'WebhookReplays';

/** The fields of an HTTP API request (payload format 2.0) the webhook reads. */
export interface HttpApiRequest {
  readonly body?: string;
  readonly isBase64Encoded: boolean;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: { readonly http: { readonly method: string } };
}

/** An HTTP API answer (payload format 2.0). */
export interface HttpApiResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The request as the webhook sees it: API Gateway base64-encodes bodies it does not take for text. */
function webhookRequest(event: HttpApiRequest): WebhookRequest {
  return {
    method: event.requestContext.http.method,
    headers: event.headers,
    query: event.queryStringParameters ?? {},
    body: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

/**
 * Counts an answer: the request by its outcome, and on a 202 the events enqueued or the replay.
 *
 * @example
 * ```ts
 * countWebhookResponse(response, (metric, value) => metrics.addMetric(metric, MetricUnit.Count, value));
 * ```
 */
export function countWebhookResponse(
  response: WebhookResponse,
  count: (metric: WebhookMetric, value: number) => void,
): void {
  const outcome =
    response.status === 202
      ? 'WebhookRequestsAccepted'
      : response.status >= 500
        ? 'WebhookRequestsFailed'
        : 'WebhookRequestsRefused';
  count(outcome, 1);
  if (response.status !== 202) return;
  const accepted = JSON.parse(response.body) as AcceptedBody;
  if (accepted.replayed) count('WebhookReplays', 1);
  else count('WebhookEventsAccepted', accepted.accepted);
}

/**
 * One HTTP API request to the webhook: decoded, handled (see {@link handleWebhook}), counted, and
 * answered in the HTTP API's shape. Never throws.
 *
 * @example
 * ```ts
 * export const handler = (event: APIGatewayProxyEventV2) => handleHttpApiRequest(event, deps, telemetry.count);
 * ```
 */
export async function handleHttpApiRequest(
  event: HttpApiRequest,
  deps: WebhookDependencies,
  count: (metric: WebhookMetric, value: number) => void,
): Promise<HttpApiResponse> {
  const response = await handleWebhook(webhookRequest(event), deps);
  countWebhookResponse(response, count);
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
}
