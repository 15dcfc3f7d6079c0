/** Log type of OpenAI organization audit events (Panther's name for it). */
export const OPENAI_AUDIT_LOG_TYPE = 'OpenAI.Audit';

/** `Actor.key` of an event whose actor carries neither an id nor an email. */
export const UNKNOWN_ACTOR_KEY = 'unknown';
