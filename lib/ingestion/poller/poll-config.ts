import type { AuditLogStream } from './audit-log-stream.ts';
import type { LogLevel } from '../../shared/log-level.ts';
import type { Organization } from '../packing/organization.ts';

/** An organization the poller lists: who it is, where its admin key is, where its cursor is. */
export interface PolledOrganization {
  readonly organization: Organization;
  /** SSM SecureString holding this organization's admin key. */
  readonly adminKeyParameter: string;
  /** The cursor item's key: the base key for the default organization, `<base>#<id>` otherwise. */
  readonly cursorKey: string;
}

/** Configuration of the audit-log poller, read once at cold start (by `readPollConfig`). */
export interface PollConfig {
  /** `LOG_LEVEL`: DEBUG, INFO (default), WARN or ERROR. */
  readonly logLevel: LogLevel;
  /**
   * `ORGANIZATIONS` (JSON list), or one organization with its key in `ADMIN_KEY_PARAMETER` (an SSM
   * SecureString holding the OpenAI admin key) and its cursor at `CURSOR_KEY`.
   */
  readonly organizations: readonly PolledOrganization[];
  /** `QUEUE_URL`: the detection queue. */
  readonly queueUrl: string;
  /** `DEAD_LETTER_QUEUE_URL`: the detection DLQ, for events that cannot be packed. */
  readonly deadLetterQueueUrl: string;
  /** `CURSOR_TABLE_NAME`: where the poll cursor items live. */
  readonly cursorTableName: string;
  /** `OPENAI_BASE_URL`, default `https://api.openai.com/v1`; https only (http only to 127.0.0.1). */
  readonly baseUrl: string;
  /** `ADMIN_KEY_MAX_AGE_SECONDS` (default 300): how long a read key is used before it is read again. */
  readonly adminKeyMaxAgeSeconds: number;
  /** `OVERLAP_SECONDS` (default 600, at most 3600), `BACKFILL_HOURS` (default 24), `SLICE_SECONDS` (default 3600). */
  readonly overlapSeconds: number;
  readonly backfillSeconds: number;
  readonly sliceSeconds: number;
  /**
   * `POLL_TENANT_EVENTS` (`true` by default): the streams polled per organization, `organization`
   * and, unless turned off, `tenant` (tenant-scoped events, `tenant_only=true`).
   */
  readonly streams: readonly AuditLogStream[];
}
