export {
  AuditLogClient,
  retryAfterMs,
  type AuditLogClientOptions,
  type AuditLogPage,
  type PageQuery,
  type RetryNotice,
} from './audit-log-client.ts';
export { networkCause } from './network-cause.ts';
export { DynamoCursorStore, MemoryCursorStore, type CursorStore, type PollCursor } from './cursor-store.ts';
export { AdminKeyRejectedError, AuditLogRequestError, AuditLogUnavailableError } from './errors.ts';
export { pollAuditLogs, type PollDependencies, type PollOptions, type PollProgress, type PollResult } from './poll.ts';
export {
  boundSeen,
  digestOf,
  fromSentMap,
  judgeSecond,
  MAX_OVERLAP_SECONDS,
  rememberSeconds,
  SEEN_BUDGET_BYTES,
  type SecondVerdict,
  type SeenEvents,
  type SeenSecond,
} from './seen-events.ts';
