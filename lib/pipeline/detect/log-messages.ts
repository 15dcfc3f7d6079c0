/**
 * The log messages that say what became of a match that did not alert, one per outcome. Tools that
 * show a run match by match (`npm start`) recognise them by these exact strings.
 *
 * @example
 * ```ts
 * if (record.message === MATCH_OUTCOME_MESSAGES.belowThreshold) console.log('counted, no alert yet');
 * ```
 */
export const MATCH_OUTCOME_MESSAGES = Object.freeze({
  /** Counted in a window that already alerted at this severity or above. */
  suppressed: 'match suppressed: its window already alerted at this severity or above',
  /** Counted in a window still below its rule's threshold. */
  belowThreshold: 'match counted below threshold',
  /** The event was already counted in its window (a redelivery, replay or redrive). */
  duplicate: 'event already counted in its window: ignored',
  /** The rules configuration suppresses it (by actor or source). */
  suppressedByRules: 'match suppressed by the rules configuration',
});
