import type { RuleMatch } from '../../detection/engine/result.ts';
import type { Severity } from '../../detection/engine/severity.ts';
import type { JsonValue } from '../../shared/json.ts';
import type { WindowSnapshot } from '../dedup/dedup-store.ts';
import { maskSecrets } from '../../shared/mask-secrets.ts';
import { ALERT_FORMAT_VERSION } from './constants.ts';

/**
 * The alert as published: the `default` message on SNS, and what pagers and SIEMs parse. Times are
 * ISO 8601 (UTC) strings.
 */
export interface AlertDocument {
  readonly version: number;
  /** Deterministic per dedup key and window; every delivery of one alert carries the same id. */
  readonly alertId: string;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: Severity;
  readonly title: string;
  readonly dedupKey: string;
  readonly createdAt: string;
  /** The dedup window (by event time) the alert belongs to. */
  readonly windowStart: string;
  readonly windowEndsAt: string;
  /**
   * Set when this alert escalates its window's earlier alert (a more severe match in the same
   * window): the window's first alert id. `null` on every other alert.
   */
  readonly escalatesAlertId: string | null;
  /** On an escalation, the severity of the window's alert it supersedes; `null` otherwise. */
  readonly escalatedFromSeverity: Severity | null;
  readonly description: string;
  readonly runbook: string;
  readonly reference: string;
  /** MITRE ATT&CK tactic:technique pairs. */
  readonly mitre: readonly string[];
  readonly logType: string;
  /** Matches in the window when the alert was created (the threshold, for threshold rules). */
  readonly eventCount: number;
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly eventTime: string | null;
  readonly alertContext: Readonly<Record<string, JsonValue>>;
}

/** What the dedup window says about the alert being created. */
export type AlertWindow = WindowSnapshot;

function isoFromSeconds(seconds: number | undefined): string | null {
  if (seconds === undefined || !Number.isFinite(seconds)) return null;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * Builds the alert document for a match that won its dedup window. Severity is the window's (the
 * highest counted, for threshold rules; the escalated one, for an escalation).
 *
 * @example
 * ```ts
 * const alert = buildAlert(match, window, 'OpenAI.Audit', nowSeconds);
 * ```
 */
export function buildAlert(match: RuleMatch, window: AlertWindow, logType: string, nowSeconds: number): AlertDocument {
  const { rule } = match;
  return {
    version: ALERT_FORMAT_VERSION,
    alertId: window.alertId,
    ruleId: rule.id,
    ruleName: rule.displayName,
    severity: window.severity,
    title: match.title,
    dedupKey: maskSecrets(match.dedup),
    createdAt: isoFromSeconds(nowSeconds) ?? new Date(0).toISOString(),
    windowStart: isoFromSeconds(window.windowStart) ?? new Date(0).toISOString(),
    windowEndsAt: isoFromSeconds(window.windowEndsAt) ?? new Date(0).toISOString(),
    escalatesAlertId: window.escalatedFrom === undefined ? null : window.firstAlertId,
    escalatedFromSeverity: window.escalatedFrom ?? null,
    description: rule.description,
    runbook: rule.runbook,
    reference: rule.reference,
    mitre: rule.reports['MITRE ATT&CK'] ?? [],
    logType,
    eventCount: window.eventCount,
    eventId: match.eventId === undefined ? null : maskSecrets(match.eventId),
    eventType: match.eventType ?? null,
    eventTime: isoFromSeconds(match.eventTime),
    alertContext: match.alertContext,
  };
}
