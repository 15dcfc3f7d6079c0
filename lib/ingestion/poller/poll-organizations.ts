import { ConfigError } from '../../shared/config-error.ts';
import type { LogLevel } from '../../shared/log-level.ts';
import { printable } from '../../shared/printable.ts';
import { AdminKeyRejectedError } from './errors.ts';
import type { AuditLogStream } from './audit-log-stream.ts';
import type { PollResult } from './poll.ts';
import type { PolledOrganization } from './poll-config.ts';

/** The metrics of a scheduled run (EMF, unit: count). */
export type PollMetric =
  /** An organization's admin key was refused or cannot be read (the AuthFailures alarm). */
  | 'AuthFailures'
  /** An organization's run failed otherwise (the API kept failing, SQS refused...). */
  | 'PollErrors'
  | 'AuditEventsListed'
  | 'AuditEventsEnqueued'
  | 'AuditEventsDeadLettered'
  | 'AuditEventsRedelivered';

/** Logs and metrics of a scheduled run. Fields are identifiers, counts and reasons, never a key. */
export interface PollTelemetry {
  readonly log: (level: LogLevel, message: string, fields: Readonly<Record<string, unknown>>) => void;
  readonly count: (metric: PollMetric, value: number) => void;
}

/** What {@link pollOrganizations} needs. */
export interface PollOrganizationsDependencies {
  readonly organizations: readonly PolledOrganization[];
  /** The streams polled for each organization, in order. */
  readonly streams: readonly AuditLogStream[];
  /** One organization's run of one stream (see `pollAuditLogs`). */
  readonly poll: (org: PolledOrganization, stream: AuditLogStream) => Promise<PollResult>;
  readonly telemetry: PollTelemetry;
}

const TOTALS = ['listed', 'delivered', 'rejected', 'redelivered'] as const;

/** Totals over the organizations polled in one run. */
export type PollTotals = Readonly<Record<(typeof TOTALS)[number], number>>;

function describe(error: unknown): string {
  return printable(error instanceof Error ? `${error.name}: ${error.message}` : 'unknown', 500);
}

/**
 * One scheduled run over every organization, one after another, and for each its streams (its
 * organization-scoped events, then its tenant-scoped ones): each is polled, logged and counted, and
 * one failure does not stop the others. An unusable admin key (refused,
 * missing, not a SecureString) is counted in `AuthFailures` and logged: retrying cannot help, the
 * alarm tells someone. Any other failure is counted in `PollErrors`, and the first one is thrown
 * once every organization had its turn, so that the invocation fails and the errors alarm counts it.
 *
 * @example
 * ```ts
 * const totals = await pollOrganizations({ organizations: config.organizations, poll, telemetry });
 * ```
 */
export async function pollOrganizations(deps: PollOrganizationsDependencies): Promise<PollTotals> {
  const { log, count } = deps.telemetry;
  const totals = { listed: 0, delivered: 0, rejected: 0, redelivered: 0 };
  let failure: Error | undefined;
  for (const org of deps.organizations) {
    const organization = org.organization.id;
    for (const stream of deps.streams) {
      try {
        const result = await deps.poll(org, stream);
        for (const name of TOTALS) totals[name] += result[name];
        log('INFO', 'poll finished', { organization, stream, ...result, highWater: result.highWater ?? null });
      } catch (error) {
        if (error instanceof AdminKeyRejectedError || error instanceof ConfigError) {
          count('AuthFailures', 1);
          log('ERROR', 'poll stopped: the admin key is unusable', { organization, stream, error: error.message });
          // The same key serves every stream of the organization: the next would be refused too.
          break;
        }
        count('PollErrors', 1);
        log('ERROR', 'poll failed; the next run resumes from the cursor', {
          organization,
          stream,
          error: describe(error),
        });
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
  }
  count('AuditEventsListed', totals.listed);
  count('AuditEventsEnqueued', totals.delivered);
  count('AuditEventsDeadLettered', totals.rejected);
  count('AuditEventsRedelivered', totals.redelivered);
  if (failure !== undefined) throw failure;
  return totals;
}
