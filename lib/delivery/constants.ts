// Limits and defaults of the destinations. Each number comes from the destination's own
// documentation; docs/deploy.md ("Alert destinations") cites the source of each.

/** PagerDuty Events API v2 endpoint (US service region; EU accounts use events.eu.pagerduty.com). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** PagerDuty: `payload.summary` is at most 1,024 characters. */
export const PAGERDUTY_SUMMARY_MAX_CHARS = 1024;

/** PagerDuty: `dedup_key` is at most 255 characters. */
export const PAGERDUTY_DEDUP_KEY_MAX_CHARS = 255;

/** PagerDuty: an Events API request is at most 512 KB. */
export const PAGERDUTY_MAX_REQUEST_BYTES = 512 * 1024;

/** PagerDuty: an integration (routing) key is 32 characters. */
export const PAGERDUTY_ROUTING_KEY_LENGTH = 32;

/** Slack: a message holds at most 50 blocks. */
export const SLACK_MAX_BLOCKS = 50;

/** Slack: a header block's plain text is at most 150 characters. */
export const SLACK_HEADER_MAX_CHARS = 150;

/** Slack: a section block's text is at most 3,000 characters. */
export const SLACK_SECTION_TEXT_MAX_CHARS = 3000;

/** Slack: a section block holds at most 10 fields... */
export const SLACK_MAX_FIELDS = 10;

/** ...of at most 2,000 characters each. */
export const SLACK_FIELD_MAX_CHARS = 2000;

/** Slack: a context block holds at most 10 elements. */
export const SLACK_MAX_CONTEXT_ELEMENTS = 10;

/** The message's top-level `text` (the notification fallback): kept as short as a section. */
export const SLACK_FALLBACK_TEXT_MAX_CHARS = 3000;

/** Our bound on a webhook body (Standard Webhooks sets none): the size SNS allows the alert itself. */
export const WEBHOOK_MAX_BODY_BYTES = 256 * 1024;

/** Longest value from an event shown to a person (PagerDuty details, Slack fields are cut further). */
export const DETAIL_VALUE_MAX_CHARS = 4000;

/** How long one HTTP request may take (Standard Webhooks recommends 15 to 30 seconds). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** The name destinations see as the sender (PagerDuty `client`, webhook `user-agent`). */
export const CLIENT_NAME = 'openai-audit-alerts';

/** How long a secret read from SSM is used before it is read again (a rotation takes effect then). */
export const SECRET_MAX_AGE_SECONDS = 300;
