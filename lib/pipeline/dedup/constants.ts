/**
 * Lease of a claim made outside a Lambda invocation (the CLI, local runs), in seconds. In Lambda the
 * lease follows the invocation's remaining time instead (see `leaseUntil` in docs/pipeline.md).
 */
export const DEFAULT_LEASE_SECONDS = 60;

/**
 * Added to a Lambda invocation's remaining time to make its lease: covers clock skew between the
 * function and other invocations, so a lease never ends while its holder can still be running.
 */
export const LEASE_MARGIN_SECONDS = 5;

/** Highest threshold an alerting rule may have (the engine's, where its reasons are). */
export { MAX_THRESHOLD } from '../../detection/engine/constants.ts';

/**
 * How long a window item outlives the later of its window's end and its last write, in seconds:
 * the DLQ's retention (14 days) plus a day. Any redelivery, replay or redrive of an event within
 * the DLQ's retention finds the item that counted it.
 */
export const REPLAY_HORIZON_SECONDS = 15 * 86_400;

/** An event time further in the future than this (seconds) is not trusted: processing time is used. */
export const MAX_FUTURE_SKEW_SECONDS = 300;

/** Conditional-write conflicts tolerated for one claim before it is reported as contention. */
export const MAX_CLAIM_ATTEMPTS = 5;

/** Other pending windows of a dedup key published by one claim before its own (bounds the work). */
export const MAX_PENDING_PREDECESSORS = 10;

/** Longest dedup key stored as it is; longer ones (in UTF-8 bytes) are stored as their SHA-256. */
export const MAX_PLAIN_KEY_BYTES = 1024;

/** Windows whose alert a warm function remembers as sent, to count further matches with one write. */
export const REMEMBERED_SENT_WINDOWS = 10_000;
