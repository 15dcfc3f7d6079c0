import type { DestinationName } from '../../delivery/destination.ts';

/** The run's counters, printed last. */
export interface LocalSummary {
  events: number;
  /** Input items that were not sent: lines that are not JSON, items that are not audit events, events too deep or too large. */
  notSent: number;
  /** Events with at least one alerting rule's match. */
  matched: number;
  /**
   * Matches handled, correlation findings included: the sum of their outcomes, each match having
   * exactly one (alerted, suppressed, below a threshold, suppressed by the rules configuration,
   * redelivered).
   */
  matches: number;
  /** Matches whose own claim published an alert. */
  matchesAlerted: number;
  /** Alerts received, escalations included. */
  alerts: number;
  /** Of those, escalations (a more severe match in an already alerted window). */
  escalated: number;
  /** Matches counted in a window that had already alerted at their severity or above. */
  suppressed: number;
  /** Matches counted in a window still below its rule's threshold. */
  belowThreshold: number;
  /** Matches the rules configuration suppresses (by actor or source). */
  suppressedByRules: number;
  /** Events the pipeline had already counted (redelivered, replayed). */
  redelivered: number;
  /** Matches of signal rules, recorded for correlations and never alerted. */
  signals: number;
  /** Correlation findings completed (each then alerts once per window). */
  correlations: number;
  /** Values a baseline rule found new for an actor past its learning period (each alerted or suppressed). */
  newValues: number;
  failed: number;
  /** Rule errors (a rule function that threw). */
  ruleErrors: number;
  dlq: number;
  /** Alerts each local destination accepted. */
  delivered: Record<DestinationName, number>;
  /** Alerts put back on a delivery queue for a later attempt. */
  deliveryRetries: number;
  /** Messages in the delivery DLQ (refused by a destination). */
  deliveryDlq: number;
  /** What the archive holds: events written (a retried record's again), alerts written, events whose write failed. */
  archived: { events: number; alerts: number; failed: number };
}

/**
 * The summary that ends a readable `npm start`: what the destinations received, then every event
 * and match accounted for, each match by its one outcome (the parts add up to the whole).
 *
 * @example
 * ```ts
 * io.stdout(summaryText(summary));
 * // delivered: pagerduty 6, slack 11, webhook 12 (0 retried, 0 in the delivery DLQ)
 * // 24 events, 17 matched an alerting rule, 8 signals recorded, 1 correlation completed
 * // 18 matches: 12 alerted, 1 suppressed in an alerted window, 5 below a threshold, 0 suppressed by the rules configuration, 0 redelivered
 * // 12 alerts (0 escalations); 0 records failed, 0 rule errors, 0 in the DLQ
 * // archived: 24 events, 12 alerts (0 event writes failed)
 * ```
 */
export function summaryText(summary: LocalSummary): string {
  const { delivered } = summary;
  const notSent = summary.notSent > 0 ? `, ${summary.notSent} input item(s) not sent (see above)` : '';
  return [
    `delivered: pagerduty ${delivered.pagerduty}, slack ${delivered.slack}, webhook ${delivered.webhook} (${summary.deliveryRetries} retried, ${summary.deliveryDlq} in the delivery DLQ)`,
    `${summary.events} events${notSent}, ${summary.matched} matched an alerting rule, ${summary.signals} signals recorded, ${summary.correlations} correlation(s) completed, ${summary.newValues} first-seen sighting(s)`,
    `${summary.matches} matches: ${summary.matchesAlerted} alerted, ${summary.suppressed} suppressed in an alerted window, ${summary.belowThreshold} below a threshold, ` +
      `${summary.suppressedByRules} suppressed by the rules configuration, ${summary.redelivered} redelivered`,
    `${summary.alerts} alerts (${summary.escalated} escalations); ${summary.failed} records failed, ${summary.ruleErrors} rule errors, ${summary.dlq} in the DLQ`,
    `archived: ${summary.archived.events} events, ${summary.archived.alerts} alerts (${summary.archived.failed} event writes failed)`,
    '',
  ].join('\n');
}
