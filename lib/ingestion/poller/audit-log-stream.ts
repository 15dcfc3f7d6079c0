/**
 * The two listings of an organization's audit log. OpenAI's list endpoint returns tenant-scoped
 * event types (`tenant.*`, `role.bound_to_resource`...) only with `tenant_only=true`, and then only
 * those ("Required for tenant-scoped events such as `role.bound_to_resource`"; with it, "all
 * supplied event types must be tenant-scoped": OpenAI's OpenAPI description of
 * `GET /organization/audit_logs`, parameter `tenant_only`). So each organization is polled twice:
 * `organization` without the parameter, `tenant` with it, each with its own cursor.
 */
export type AuditLogStream = 'organization' | 'tenant';

/**
 * Both streams, in the order a run polls them.
 *
 * @example
 * ```ts
 * for (const stream of AUDIT_LOG_STREAMS) await poll(org, stream);
 * ```
 */
export const AUDIT_LOG_STREAMS: readonly AuditLogStream[] = ['organization', 'tenant'];

/**
 * The cursor item of a stream: the organization's own key for `organization` (so cursors saved
 * before there were two streams carry on), `<key>#@tenant` for `tenant`. An organization id cannot
 * contain `@`, so no organization's key is another's tenant key; both stay in the poller's cursor
 * namespace (`ingest-cursor`, `ingest-cursor#…`), which the detect role may not touch.
 *
 * @example
 * ```ts
 * streamCursorKey('ingest-cursor#org-a', 'tenant'); // 'ingest-cursor#org-a#@tenant'
 * ```
 */
export function streamCursorKey(cursorKey: string, stream: AuditLogStream): string {
  return stream === 'organization' ? cursorKey : `${cursorKey}#@tenant`;
}
