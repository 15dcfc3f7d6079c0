import type { AlertDocument } from '../alerts/alert-document.ts';
import { MAX_PENDING_PREDECESSORS } from '../dedup/constants.ts';
import type { DedupStore, WindowLease } from '../dedup/dedup-store.ts';
import { describeError } from '../../shared/describe-error.ts';
import { printable } from '../../shared/printable.ts';
import type { DetectionDependencies } from './batch-work.ts';

/** Log fields naming what an alert came from. */
export type Ids = Record<string, string>;

/** Attempts at marking a published window sent (each with the SDK's own retries inside). */
const MARK_SENT_ATTEMPTS = 3;

async function markSent(store: DedupStore, lease: WindowLease, deps: DetectionDependencies, ids: Ids): Promise<void> {
  // Not marking a published window sent is the one way to a duplicate (a later match takes it over
  // after the lease and publishes it again, same id and content), so this write gets extra tries.
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await store.markSent(lease))) {
        deps.telemetry.log('WARN', 'alert published, but its window was taken over before it was marked sent', ids);
      }
      return;
    } catch (error) {
      if (attempt >= MARK_SENT_ATTEMPTS) {
        // The alert is out; failing the record would only publish it again.
        deps.telemetry.log('ERROR', 'alert published but not marked sent', {
          ...ids,
          error: printable(describeError(error)),
        });
        return;
      }
    }
  }
}

/**
 * Gives a window back after a failure, so the retry can publish at once, with the same alert id.
 *
 * @example
 * ```ts
 * await releaseWindow(store, lease, deps, ids);
 * ```
 */
export async function releaseWindow(
  store: DedupStore,
  lease: WindowLease,
  deps: DetectionDependencies,
  ids: Ids,
): Promise<void> {
  await store.release(lease).catch((releaseError: unknown) => {
    deps.telemetry.log('WARN', 'could not release dedup window; the retry will take over after the lease', {
      ...ids,
      alertId: lease.alertId,
      error: printable(describeError(releaseError)),
    });
  });
}

/**
 * Publishes a window's alert as stored, then marks the window sent; on failure gives the window back.
 *
 * @example
 * ```ts
 * await deliverAlert(store, result.lease, result.alert, result.takeover, deps, ids);
 * ```
 */
export async function deliverAlert(
  store: DedupStore,
  lease: WindowLease,
  alertJson: string,
  takeover: boolean,
  deps: DetectionDependencies,
  ids: Ids,
): Promise<void> {
  const alert = JSON.parse(alertJson) as AlertDocument;
  const fields = { ...ids, alertId: lease.alertId };
  try {
    await (await deps.publisher()).publish(alert);
  } catch (error) {
    await releaseWindow(store, lease, deps, ids);
    throw error;
  }
  deps.telemetry.count('AlertsPublished');
  if (alert.escalatesAlertId) {
    deps.telemetry.count('AlertsEscalated');
    deps.telemetry.log('INFO', 'escalation published', {
      ...fields,
      severity: alert.severity,
      escalatedFrom: alert.escalatedFromSeverity ?? undefined,
      firstAlertId: alert.escalatesAlertId,
      takeover,
    });
  } else {
    deps.telemetry.log('INFO', 'alert published', { ...fields, severity: alert.severity, takeover });
  }
  await markSent(store, lease, deps, fields);
}

/**
 * Before a window's alert goes out, the other pending windows of its dedup key (a publish that
 * failed for longer than its records' retries, a publisher that died) are published first: a
 * pending window is never left behind by a later one.
 *
 * @example
 * ```ts
 * await publishEarlierPending(store, result.lease, deps, ids);
 * ```
 */
export async function publishEarlierPending(
  store: DedupStore,
  lease: WindowLease,
  deps: DetectionDependencies,
  ids: Ids,
): Promise<void> {
  const others = await store.trackPending(lease);
  for (const windowStart of others.slice(0, MAX_PENDING_PREDECESSORS)) {
    const taken = await store.takeOver(lease.dedupKey, windowStart, lease.leaseUntil);
    if (!taken) continue;
    deps.telemetry.count('PendingWindowsRecovered');
    deps.telemetry.log('WARN', 'publishing a pending window of the same dedup key whose publisher is gone', {
      ...ids,
      alertId: taken.lease.alertId,
      windowStart,
    });
    await deliverAlert(store, taken.lease, taken.alert, true, deps, ids);
  }
}
