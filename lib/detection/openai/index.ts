export { resolveActor } from './actor.ts';
export type { Actor, ActorIdKind, AuditEvent } from './audit-event.ts';
export { OPENAI_AUDIT_LOG_TYPE, UNKNOWN_ACTOR_KEY } from './constants.ts';
export {
  auditEventProblem,
  extractAuditEvents,
  type ExtractedEvents,
  type InputProblem,
  type LocatedEvent,
} from './extract-events.ts';
export { openAiAuditLogType } from './log-type.ts';
export { auditEventType, eventDetails, normalizeAuditEvent } from './normalize.ts';
export { textField, textMember, textValue } from './text-field.ts';
