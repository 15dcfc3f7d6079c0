/** An HTTP request as the webhook sees it, whatever served it (API Gateway, the local server). */
export interface WebhookRequest {
  readonly method: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received (still compressed when it was sent so). */
  readonly body: Buffer;
}

/** What the webhook answers: a status, headers, and a JSON body. */
export interface WebhookResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** An item of the request that is not accepted, and why. */
export interface RejectedItem {
  /** Where it was: `line 3`, `[2]`, `data[0]`, `line 2: [1]`. */
  readonly item: string;
  readonly reason: string;
}

/** The body of a 202. */
export interface AcceptedBody {
  readonly accepted: number;
  /** The first rejected items, in input order (at most `MAX_REJECTED_ITEMS_LISTED`). */
  readonly rejected: readonly RejectedItem[];
  /** How many items were rejected in all. */
  readonly rejectedCount: number;
  readonly organization: string;
  readonly webhookId: string | null;
  /** True when this webhook-id was accepted before: nothing was enqueued this time. */
  readonly replayed: boolean;
}

/**
 * A JSON answer.
 *
 * @example
 * ```ts
 * jsonResponse(202, { accepted: 3, rejected: [], rejectedCount: 0 });
 * ```
 */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): WebhookResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * An error answer: `{"error": {"code": ..., "message": ...}}` (and details when given).
 *
 * @example
 * ```ts
 * errorResponse(401, 'unauthorized', 'no signature matches');
 * ```
 */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Readonly<Record<string, string>> = {},
): WebhookResponse {
  return jsonResponse(status, { error: { code, message }, ...extra }, headers);
}
