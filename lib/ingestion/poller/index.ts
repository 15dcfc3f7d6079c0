export { loadAdminKey } from './admin-key.ts';
export { AuditLogClient, retryAfterMs, type AuditLogClientOptions, type AuditLogPage, type PageQuery } from './audit-log-client.ts';
export { DynamoCursorStore, MemoryCursorStore, type CursorStore, type PollCursor } from './cursor-store.ts';
export { AdminKeyRejectedError, AuditLogRequestError, AuditLogUnavailableError } from './errors.ts';
export { pollAuditLogs, type PollDependencies, type PollOptions, type PollResult } from './poll.ts';
