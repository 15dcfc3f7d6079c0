import type { LogType } from '../engine/log-type.ts';
import type { AuditEvent } from './audit-event.ts';
import { OPENAI_AUDIT_LOG_TYPE } from './constants.ts';
import { auditEventType, normalizeAuditEvent } from './normalize.ts';

/**
 * The `OpenAI.Audit` log type for the rule catalog.
 *
 * @example
 * ```ts
 * new RuleCatalog().register(openAiAuditLogType, [apiKeyRule]);
 * ```
 */
export const openAiAuditLogType: LogType<AuditEvent> = {
  name: OPENAI_AUDIT_LOG_TYPE,
  eventTypeOf: auditEventType,
  normalize: normalizeAuditEvent,
  identify: (event) => ({ eventId: event.id, eventType: event.type, eventTime: event.effectiveAt }),
  subject: (event) => {
    const { actor } = event;
    const actorIds = [actor.id, actor.userId, actor.apiKeyId].filter((id): id is string => id !== undefined);
    return {
      actorIds: [...new Set(actorIds)],
      serviceAccountIds: actor.serviceAccountId === undefined ? [] : [actor.serviceAccountId],
      emails: actor.email === undefined ? [] : [actor.email],
      sourceIp: actor.ipAddress,
    };
  },
};
