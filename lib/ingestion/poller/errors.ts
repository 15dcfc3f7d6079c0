/**
 * OpenAI refused the admin key (401 or 403). A configuration problem, not a transient one: the
 * message names where the key comes from, never the key.
 *
 * @example
 * ```ts
 * if (error instanceof AdminKeyRejectedError) metrics.count('AuthFailures');
 * ```
 */
export class AdminKeyRejectedError extends Error {
  public constructor(status: number, keySource: string) {
    super(
      `OpenAI rejected the admin key (HTTP ${status}). Check ${keySource}: it must hold an organization Admin API key ` +
        '(organization owners create them), and audit logging must be enabled in the organization settings.',
    );
    this.name = 'AdminKeyRejectedError';
  }
}

/**
 * The audit log API kept failing (429, 5xx, network) past the retry budget or the run's deadline.
 *
 * @example
 * ```ts
 * if (error instanceof AuditLogUnavailableError) // the next scheduled run resumes from the cursor
 * ```
 */
export class AuditLogUnavailableError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'AuditLogUnavailableError';
  }
}

/**
 * The audit log API answered a request as malformed (another 4xx), or with something that is not a
 * list page.
 *
 * @example
 * ```ts
 * try { await client.listPage(query); } catch (e) { if (e instanceof AuditLogRequestError) ... }
 * ```
 */
export class AuditLogRequestError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'AuditLogRequestError';
  }
}
