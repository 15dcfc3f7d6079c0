/** How long a publisher holds a window before another invocation may take over (seconds). */
export const DEFAULT_LEASE_SECONDS = 60;

/** Event ids remembered per window to recognise redeliveries; past this, matches are only counted. */
export const MAX_TRACKED_EVENT_IDS = 500;

/** How long an item outlives its window before DynamoDB's TTL may delete it (seconds). */
export const EXPIRY_GRACE_SECONDS = 86_400;

/** Conditional-write conflicts tolerated for one claim before it is reported as contention. */
export const MAX_CLAIM_ATTEMPTS = 5;

/** Longest dedup key stored as it is; longer ones (in UTF-8 bytes) are stored as their SHA-256. */
export const MAX_PLAIN_KEY_BYTES = 1024;
