/**
 * Highest threshold an alerting rule may have: a window counting toward it remembers the events (or
 * distinct values) it counted, at most twice this many 8-byte fingerprints, so its item stays under
 * 4 KB (one write capacity unit per KB).
 */
export const MAX_THRESHOLD = 200;

/** The longest dedup period a rule may have: a day (the tables keep a window 15 days past its end). */
export const MAX_DEDUP_PERIOD_MINUTES = 1440;

/** Titles and dedup strings longer than this are truncated (Panther's limit). */
export const MAX_OUTPUT_STRING_LENGTH = 1000;

/** How many characters of an over-long title or dedup string are kept before the suffix. */
export const TRUNCATED_KEEP_LENGTH = 985;

/** Appended to a truncated title or dedup string; 985 + 15 = 1000 characters. */
export const TRUNCATION_SUFFIX = '... (truncated)';

/** Largest alert context, as characters of JSON, before it is replaced by an `_error` object. */
export const MAX_ALERT_CONTEXT_JSON_LENGTH = 204_800;

/** Prefix of the dedup string used when a rule's dedup is empty: `defaultDedupString:<RuleID>`. */
export const DEFAULT_DEDUP_PREFIX = 'defaultDedupString:';

/** What a severity function returns to mean "the rule's static severity". */
export const SEVERITY_DEFAULT_KEYWORD = 'DEFAULT';
