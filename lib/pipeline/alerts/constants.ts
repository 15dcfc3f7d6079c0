/** Version of the alert document published on SNS; bumped on incompatible changes. */
export const ALERT_FORMAT_VERSION = 1;

/** SNS's limit on a whole message, counted in UTF-8 bytes, attributes and subject included. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

/** Subjects must be shorter than 100 characters. */
export const SUBJECT_MAX_LENGTH = 99;

/** Used when a subject cannot be built, or SNS rejects the one built. */
export const FALLBACK_SUBJECT = 'OpenAI audit alert';

/** Longest single value printed in the email text. */
export const EMAIL_VALUE_MAX_LENGTH = 500;
