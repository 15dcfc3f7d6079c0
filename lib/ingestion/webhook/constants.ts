/** Standard Webhooks: a signature's timestamp may differ from the clock by at most 5 minutes. */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/** Largest request body, as received and once decompressed (Lambda takes 6 MB per request). */
export const MAX_BODY_BYTES = 5_000_000;

/** Most events one request may carry. */
export const MAX_EVENTS_PER_REQUEST = 10_000;

/**
 * Most rejected items an answer lists (it counts them all): a 5 MB body can hold millions, and
 * listing them would pass Lambda's 6 MB answer and the function's memory.
 */
export const MAX_REJECTED_ITEMS_LISTED = 100;

/** Standard Webhooks secrets are random bytes, at least 24 (192 bits). */
export const MIN_SECRET_BYTES = 24;

/** Bearer tokens (for forwarders that cannot sign) are at least this long. */
export const MIN_BEARER_TOKEN_CHARS = 32;

/** How long a webhook-id is remembered: senders retry for days with the same id. */
export const WEBHOOK_ID_RETENTION_SECONDS = 7 * 24 * 3600;

/** How long a request may hold a webhook-id before another delivery of it may take over. */
export const WEBHOOK_ID_LEASE_SECONDS = 60;

/** Content types accepted: JSON (an event, an array, a list page) or JSON Lines. */
export const ACCEPTED_CONTENT_TYPES: readonly string[] = [
  'application/json',
  'application/x-ndjson',
  'application/jsonl',
  'application/json-lines',
  'application/x-jsonlines',
  'text/plain',
];

/** A signature that matches no key reads the secret again (it may have been rotated), at most this often. */
export const SECRET_MIN_REFRESH_INTERVAL_MS = 10_000;
