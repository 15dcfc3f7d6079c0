/** SendMessageBatch takes 10 entries and 256 KiB in all; messages are packed within this, keeping a margin. */
export const MAX_BATCH_BYTES = 200_000;

/** Events per message, at most: the detection function handles each message's events together. */
export const MAX_EVENTS_PER_MESSAGE = 100;

/**
 * The largest serialised event that is sent at all (alone in its message, inside the envelope).
 * SQS takes 262,144 bytes per message; the envelope and a margin for attributes stay below that.
 */
export const MAX_EVENT_BYTES = 250_000;

/**
 * The deepest nesting of objects and arrays an event may have. OpenAI's audit events nest four or
 * five levels; anything far deeper is hostile or broken, and would exhaust the stack of every
 * recursive reader downstream (`JSON.stringify` throws `RangeError` near 10,000 levels).
 */
export const MAX_EVENT_DEPTH = 64;

/** Characters of a rejected event kept as an excerpt when it cannot be kept whole. */
export const EXCERPT_CHARS = 2000;
