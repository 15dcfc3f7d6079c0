// One match claimed on its own window: how the tests that drive the dedup store directly speak to
// it, as the pipeline claims a window that holds one match of the batch.
import type { Severity } from '../../lib/detection/engine/severity.ts';
import type { DedupStore, WindowClaimResult, WindowSnapshot } from '../../lib/pipeline/dedup/dedup-store.ts';
import { placeInWindow } from '../../lib/pipeline/dedup/window.ts';

/** A match, its window by length, and the time it is claimed at (the event's own time when not given). */
export interface OneMatch {
  readonly dedupKey: string;
  readonly ruleId: string;
  readonly eventId: string;
  readonly eventTime: number | undefined;
  readonly windowSeconds: number;
  readonly threshold: number;
  readonly severity: Severity;
  readonly distinctValue?: string;
  readonly leaseUntil: number;
  readonly now?: number;
  render(window: WindowSnapshot): string;
}

/**
 * Claims one match on the window it falls in.
 *
 * @example
 * ```ts
 * const result = await claimOne(store, { dedupKey: 'k', ruleId: 'R', eventId: 'e1', eventTime: T0, windowSeconds: 3600, threshold: 1, severity: 'HIGH', leaseUntil: T0 + 60, render });
 * ```
 */
export function claimOne(store: DedupStore, match: OneMatch): Promise<WindowClaimResult> {
  const now = match.now ?? match.eventTime ?? Math.floor(Date.now() / 1000);
  const { windowStart, windowEndsAt } = placeInWindow(match.eventTime, now, match.windowSeconds);
  return store.claimWindow({
    dedupKey: match.dedupKey,
    ruleId: match.ruleId,
    windowStart,
    windowEndsAt,
    threshold: match.threshold,
    distinct: match.distinctValue !== undefined,
    matches: [
      {
        eventId: match.eventId,
        severity: match.severity,
        ...(match.distinctValue === undefined ? {} : { distinctValue: match.distinctValue }),
      },
    ],
    leaseUntil: match.leaseUntil,
    render: (window) => match.render(window),
  });
}
