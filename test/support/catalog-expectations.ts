// Expected outcomes derived from the registered rules, so tests follow the catalog: adding a rule
// changes what these return, not the tests that use them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamEvaluator } from '../../lib/detection/engine/stream-evaluator.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../lib/detection/openai/constants.ts';
import { extractAuditEvents } from '../../lib/detection/openai/extract-events.ts';
import { createRuleCatalog } from '../../lib/detection/rules/create-rule-catalog.ts';
import { checkPantherMetadata } from '../../lib/detection/testing/run-test.ts';
import { parseRuleTestFile } from '../../lib/detection/testing/test-file.ts';
import { parseJsonInput } from '../../lib/shared/json-input.ts';
import { pipelineSettings } from '../../lib/tooling/local/settings.ts';

/** One alert the pipeline's semantics give for an input. */
export interface ExpectedAlert {
  readonly eventId: string | null;
  readonly ruleId: string;
  readonly severity: string;
  readonly eventCount: number;
  readonly escalation: boolean;
}

/** What the reference semantics (the stream evaluator over the default catalog) make of a file. */
export interface ExpectedOutcome {
  readonly events: number;
  readonly alerts: readonly ExpectedAlert[];
  /** Matches counted below a threshold, repeats in an alerted window, signals, suppressed. */
  readonly belowThreshold: number;
  readonly deduplicated: number;
  readonly signals: number;
  readonly suppressed: number;
  /** Sightings that showed a value new for their actor (what npm start counts as first-seen sightings). */
  readonly novelties: number;
  /** Correlation findings completed (what npm start counts as correlations completed). */
  readonly correlations: number;
}

/** The reference outcome of the events in a JSON / JSON Lines file, in input order. */
export function expectedOutcome(file: string): ExpectedOutcome {
  const stream = new StreamEvaluator(createRuleCatalog(), OPENAI_AUDIT_LOG_TYPE, { now: () => 0 });
  const alerts: ExpectedAlert[] = [];
  let events = 0;
  let belowThreshold = 0;
  let deduplicated = 0;
  let signals = 0;
  let suppressed = 0;
  let novelties = 0;
  let correlations = 0;
  for (const { value } of parseJsonInput(readFileSync(file, 'utf8')).values) {
    for (const { event } of extractAuditEvents(value).events) {
      events++;
      const step = stream.push(event);
      for (const alert of step.alerts) {
        alerts.push({
          eventId: alert.match.eventId ?? null,
          ruleId: alert.match.rule.id,
          severity: alert.match.severity,
          eventCount: alert.eventCount,
          escalation: alert.escalatedFrom !== undefined,
        });
      }
      belowThreshold += step.belowThreshold;
      deduplicated += step.deduplicated;
      signals += step.signals.length;
      suppressed += step.suppressed.length;
      novelties += step.novelties;
      correlations += step.correlations;
    }
  }
  return { events, alerts, belowThreshold, deduplicated, signals, suppressed, novelties, correlations };
}

/**
 * Ids of the catalog's alerting rules (not signals): what the bundled sample events are written to
 * exercise, every one of them.
 */
export function catalogAlertingRuleIds(): string[] {
  return createRuleCatalog()
    .rules.filter((rule) => rule.createAlert && rule.enabled)
    .map((rule) => rule.id);
}

/** Every registered rule id, in registration order, as error messages list them. */
export function knownRuleIds(): string {
  return createRuleCatalog()
    .rules.map((rule) => rule.id)
    .join(', ');
}

/** How many PASS lines `test FILE` prints for a file that passes: its tests plus its metadata checks. */
export function expectedChecks(file: string): number {
  const parsed = parseRuleTestFile(readFileSync(file, 'utf8'), file);
  return parsed.tests.length + checkPantherMetadata(createRuleCatalog(), parsed).length;
}

/** Alerts each local destination receives, by the stack's default routing (severities per destination). */
export function expectedDeliveries(alerts: readonly ExpectedAlert[]): {
  pagerduty: number;
  slack: number;
  webhook: number;
} {
  const routes = pipelineSettings().delivery.routes;
  const routed = (severities: readonly string[]) =>
    alerts.filter((alert) => severities.includes(alert.severity)).length;
  return {
    pagerduty: routed(routes.pagerDuty.severities),
    slack: routed(routes.slack.severities),
    webhook: routed(routes.webhook.severities),
  };
}

/** The bundled sample events. */
export const SAMPLE_EVENTS = join(import.meta.dirname, '../../examples/sample-events.jsonl');
