// The reliability oracle: what the pipeline must have delivered and stored, derived from the
// registered rules' own metadata (threshold, dedup period, severity, title), never from one
// hard-coded rule. Pure: the harness feeds it the events sent, the alerts received and the table.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { observeBaseline, type BaselineState } from '../../../lib/detection/engine/baseline.ts';
import type { RuleCatalog } from '../../../lib/detection/engine/catalog.ts';
import type {
  CorrelationFinding,
  CorrelationStep as CorrelationShapeStep,
  StepRecord,
} from '../../../lib/detection/engine/correlation.ts';
import type { CorrelationStepMatch, RuleMatch } from '../../../lib/detection/engine/result.ts';
import { SEVERITIES, severityRank, type Severity } from '../../../lib/detection/engine/severity.ts';
import type { AlertDocument } from '../../../lib/pipeline/alerts/alert-document.ts';

import { alertIdFor, windowKey } from '../../../lib/pipeline/dedup/dedup-item.ts';
import { placeInWindow, trustedEventTime } from '../../../lib/pipeline/dedup/window.ts';

/** One dedup window as the events imply it. */
export interface ExpectedWindow {
  readonly ruleId: string;
  readonly dedupKey: string;
  readonly windowStart: number;
  readonly windowEndsAt: number;
  readonly threshold: number;
  /** The distinct matching events of the window, by id. */
  readonly events: Map<string, { readonly severity: Severity; readonly title: string }>;
  /** For rules that count distinct `unique()` values: the values; the threshold counts them. */
  readonly values: Set<string> | undefined;
}

/** Step matches of correlation rules, by `<rule id>\n<key>`: every one, none forgotten. */
export type ExpectedCorrelations = Map<string, ExpectedCorrelation>;

/** One correlation rule's step matches for one key. */
interface ExpectedCorrelation {
  readonly ruleId: string;
  readonly key: string;
  readonly steps: StepRecord[][];
}

/** Baselines of baseline rules, by `<rule id>\n<actor>`: what the pipeline has learned so far. */
export type ExpectedBaselines = Map<string, BaselineState>;

/** Expected windows by `<dedup key>\n<window start>`. */
export type ExpectedWindows = Map<string, ExpectedWindow>;

const windowId = (dedupKey: string, windowStart: number) => `${dedupKey}\n${windowStart}`;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Adds a step match to `correlations`: every one, none forgotten. */
function addStep(catalog: RuleCatalog, correlations: ExpectedCorrelations, step: CorrelationStepMatch, now: number) {
  const shape = catalog.correlation(step.correlation.id);
  const id = `${shape.id}\n${step.key}`;
  const entry = correlations.get(id) ?? {
    ruleId: shape.id,
    key: step.key,
    steps: shape.steps.map(() => []),
  };
  const record = {
    eventId: step.eventId ?? '',
    time: Math.floor(trustedEventTime(step.eventTime, now) ?? now),
    ...(step.detail === undefined ? {} : { detail: step.detail }),
  };
  // What the events complete in truth, whatever order they arrive in.
  const records = entry.steps[step.stepIndex];
  if (records !== undefined && !records.some((r) => r.eventId === record.eventId)) records.push(record);
  correlations.set(id, entry);
}

/**
 * Adds the windows that `events`, processed at `now`, must produce to `into`: every registered
 * rule's matches, placed by event time with the rule's own dedup period.
 *
 * @example
 * ```ts
 * const windows = expectWindows(createRuleCatalog(), 'OpenAI.Audit', events, now);
 * ```
 */
export function expectWindows(
  catalog: RuleCatalog,
  logType: string,
  events: readonly unknown[],
  now: number,
  into: ExpectedWindows = new Map(),
  correlations: ExpectedCorrelations = new Map(),
): ExpectedWindows {
  for (const event of events) {
    const evaluation = catalog.evaluate(logType, event);
    for (const match of evaluation.matches) expectMatch(match, now, into);
    for (const step of evaluation.steps) addStep(catalog, correlations, step, now);
  }
  return into;
}

/**
 * Adds the windows of baseline rules that one phase's `events` must produce to `into`, learning
 * into `baselines` (which carries what earlier phases taught): each actor's sightings observed in
 * event time order. Exact when what is new in a phase does not depend on the order its events
 * arrive in: every scenario's actor shows one source per phase, and a phase lasts less than the
 * rules' `newForMinutes` or shows no new source.
 *
 * @example
 * ```ts
 * expectBaselineWindows(catalog, 'OpenAI.Audit', events, now, windows, baselines);
 * ```
 */
export function expectBaselineWindows(
  catalog: RuleCatalog,
  logType: string,
  events: readonly unknown[],
  now: number,
  into: ExpectedWindows,
  baselines: ExpectedBaselines,
): ExpectedWindows {
  const sightings = events.flatMap((event) =>
    catalog.evaluate(logType, event).observations.map((observation) => ({ event, observation })),
  );
  const time = (eventTime: number | undefined) => Math.floor(trustedEventTime(eventTime, now) ?? now);
  sightings.sort((a, b) => time(a.observation.eventTime) - time(b.observation.eventTime));
  for (const { event, observation } of sightings) {
    const shape = catalog.baseline(observation.baseline.id);
    const id = `${shape.id}\n${observation.actor}`;
    const { eventId = '', eventTime, values, actor } = observation;
    const observed = observeBaseline(shape, baselines.get(id), { eventId, time: time(eventTime), values });
    baselines.set(id, observed.state);
    if (!observation.candidate || observed.learning || observed.newValues.length === 0) continue;
    const novelty = { ruleId: shape.id, actor, newValues: observed.newValues, values };
    expectMatch(catalog.evaluateNovelty(event, novelty).match, now, into);
  }
  return into;
}

function expectMatch(match: RuleMatch, now: number, into: ExpectedWindows): void {
  const seconds = Math.round(match.rule.dedupPeriodMinutes * 60);
  const { windowStart, windowEndsAt } = placeInWindow(match.eventTime, now, seconds);
  const id = windowId(match.dedup, windowStart);
  const window = into.get(id) ?? {
    ruleId: match.rule.id,
    dedupKey: match.dedup,
    windowStart,
    windowEndsAt,
    threshold: match.rule.threshold,
    events: new Map(),
    values: match.unique === undefined ? undefined : new Set<string>(),
  };
  window.events.set(match.eventId ?? '', { severity: match.severity, title: match.title });
  if (match.unique !== undefined) window.values?.add(match.unique);
  into.set(id, window);
}

/**
 * Adds the windows of correlation rules to `into`, once every event is known: every last-step
 * match that the final state completes is a match of the correlation rule (the pipeline completes
 * it when the last of its steps arrives, in whatever order they came).
 *
 * @example
 * ```ts
 * expectCorrelationWindows(catalog, correlations, now, windows);
 * ```
 */
export function expectCorrelationWindows(
  catalog: RuleCatalog,
  correlations: ExpectedCorrelations,
  now: number,
  into: ExpectedWindows,
): ExpectedWindows {
  // In registration order: a rule's findings may be steps of a correlation registered after it.
  const entries = () => [...correlations.values()];
  for (const rule of catalog.rules.filter((r) => r.kind === 'correlation'))
    for (const entry of entries().filter((e) => e.ruleId === rule.id))
      expectFindings(catalog, correlations, entry, now, into);
  return into;
}

function expectFindings(
  catalog: RuleCatalog,
  correlations: ExpectedCorrelations,
  { ruleId, key, steps }: ExpectedCorrelation,
  now: number,
  into: ExpectedWindows,
): void {
  const shape = catalog.correlation(ruleId);
  const lookback = shape.lookbackMinutes * 60;
  const last = shape.steps.length - 1;
  for (const trigger of steps[last] ?? []) {
    // The definition: every earlier step has its minMatchCount matches within the lookback
    // before the trigger.
    const within = shape.steps.slice(0, last).map((step, index) => ({
      id: step.id,
      ruleId: step.ruleId,
      records: (steps[index] ?? []).filter((r) => r.time >= trigger.time - lookback && r.time <= trigger.time),
      need: step.minMatchCount,
    }));
    if (within.some(({ records, need }) => records.length < need)) continue;
    const lastStep = shape.steps[last] as CorrelationShapeStep;
    const finding: CorrelationFinding = {
      ruleId,
      key,
      trigger,
      steps: [
        ...within.map(({ id, ruleId: stepRule, records }) => ({ id, ruleId: stepRule, records })),
        { id: lastStep.id, ruleId: lastStep.ruleId, records: [trigger] },
      ],
      lookbackMinutes: shape.lookbackMinutes,
    };
    expectMatch(catalog.evaluateFinding(finding).match, now, into);
    for (const step of catalog.findingSteps(finding)) addStep(catalog, correlations, step, now);
  }
}

/**
 * Whether a window must alert: its matches, or for rules that count distinct values its values,
 * reach the rule's threshold.
 *
 * @example
 * ```ts
 * [...windows.values()].filter(windowAlerts).length; // alerts expected
 * ```
 */
export function windowAlerts(window: ExpectedWindow): boolean {
  return (window.values === undefined ? window.events.size : window.values.size) >= window.threshold;
}
const alerts = windowAlerts;
const maxOf = (severities: Iterable<Severity>): Severity =>
  [...severities].reduce<Severity>((a, b) => (severityRank(b) > severityRank(a) ? b : a), SEVERITIES[0]);

/** What the alerts received say, against the windows expected. */
export interface DeliveryCheck {
  /** Distinct alert ids received. */
  readonly delivered: number;
  /** Alerting windows whose first alert never came. */
  readonly lost: number;
  /** Extra copies of alert ids already received. */
  readonly duplicates: number;
  /** Escalations received (distinct ids). */
  readonly escalations: number;
  /** Copies per alert id. */
  readonly copies: ReadonlyMap<string, number>;
  readonly problems: readonly string[];
}

/**
 * Checks every alert received, by content, against the windows: right window, rule, ids, event,
 * title and severity; exactly one first alert per alerting window and none for others; the window's
 * highest severity reaches the subscriber (escalations); every copy of an alert id identical.
 *
 * @example
 * ```ts
 * const { lost, problems } = checkDeliveries(windows, received);
 * ```
 */
export function checkDeliveries(windows: ExpectedWindows, received: readonly AlertDocument[]): DeliveryCheck {
  const problems: string[] = [];
  const copies = new Map<string, number>();
  const content = new Map<string, string>();
  const byWindow = new Map<string, AlertDocument[]>();
  for (const alert of received) {
    copies.set(alert.alertId, (copies.get(alert.alertId) ?? 0) + 1);
    const text = JSON.stringify(alert);
    const first = content.get(alert.alertId);
    if (first === undefined) content.set(alert.alertId, text);
    else if (first !== text) problems.push(`alert ${alert.alertId} delivered with different content`);
    if (first !== undefined) continue;
    const id = windowId(alert.dedupKey, Date.parse(alert.windowStart) / 1000);
    const window = windows.get(id);
    if (!window || !alerts(window)) {
      problems.push(
        `alert ${alert.alertId} for a window that must not alert (${alert.dedupKey} at ${alert.windowStart})`,
      );
      continue;
    }
    byWindow.set(id, [...(byWindow.get(id) ?? []), alert]);
    const event = window.events.get(alert.eventId ?? '');
    const escalation = alert.escalatesAlertId !== null;
    const expectedId = alertIdFor(window.dedupKey, window.windowStart, escalation ? alert.severity : undefined);
    const wrong: string[] = [];
    if (alert.ruleId !== window.ruleId) wrong.push(`rule ${alert.ruleId}`);
    if (alert.alertId !== expectedId) wrong.push(`id (expected ${expectedId})`);
    if (alert.windowEndsAt !== iso(window.windowEndsAt)) wrong.push(`window end ${alert.windowEndsAt}`);
    if (!event) wrong.push(`event ${alert.eventId ?? 'null'} is not one of the window's`);
    else {
      if (alert.title !== event.title) wrong.push('title');
      // The alert describes its triggering event and carries the highest severity its window counted
      // (more than one match even at threshold 1, when two invocations count the window at once).
      if (severityRank(alert.severity) < severityRank(event.severity)) wrong.push(`severity ${alert.severity}`);
    }
    // A first alert counts events exactly; a window counting distinct values counts every match
    // (a redelivered one again), and once a window has alerted, a redelivered match is counted
    // again, so those counts may exceed the events.
    const exact = !escalation && window.values === undefined;
    if (alert.eventCount < window.threshold || (exact && alert.eventCount > window.events.size))
      wrong.push(`event count ${alert.eventCount}`);
    const from = alert.escalatedFromSeverity;
    if (
      escalation &&
      (alert.escalatesAlertId !== alertIdFor(window.dedupKey, window.windowStart) ||
        from === null ||
        severityRank(from) >= severityRank(alert.severity))
    ) {
      wrong.push('escalation reference');
    }
    if (wrong.length > 0) problems.push(`alert ${alert.alertId}: wrong ${wrong.join(', ')}`);
  }
  let lost = 0;
  for (const [id, window] of windows) {
    if (!alerts(window)) continue;
    const got = byWindow.get(id) ?? [];
    if (!got.some((alert) => alert.escalatesAlertId === null)) {
      lost++;
      continue;
    }
    const highest = maxOf([...window.events.values()].map((e) => e.severity));
    const heard = maxOf(got.map((alert) => alert.severity));
    if (heard !== highest)
      problems.push(
        `window ${window.dedupKey} at ${iso(window.windowStart)}: its highest severity ${highest} never reached the subscriber (heard ${heard})`,
      );
  }
  if (lost > 0) problems.push(`${lost} expected alert(s) never delivered`);
  return {
    delivered: copies.size,
    lost,
    duplicates: [...copies.values()].reduce((sum, n) => sum + n - 1, 0),
    escalations: received.filter(
      (a, i) => a.escalatesAlertId !== null && received.findIndex((b) => b.alertId === a.alertId) === i,
    ).length,
    copies,
    problems,
  };
}

/**
 * Checks the dedup table as the run left it: every window item in its final state (sent when it
 * alerted, counting below its threshold, never left pending), counting each distinct event exactly
 * once (while the window tracks them), at the window's highest severity; and no window item that
 * no event implies.
 *
 * @example
 * ```ts
 * const problems = checkWindowItems(windows, (await dynamodb.send(new ScanCommand({ TableName }))).Items ?? []);
 * ```
 */
export function checkWindowItems(
  windows: ExpectedWindows,
  items: ReadonlyArray<Record<string, AttributeValue>>,
): string[] {
  const problems: string[] = [];
  const byKey = new Map(items.filter((item) => item.status?.S !== undefined).map((item) => [item.pk?.S ?? '', item]));
  for (const window of windows.values()) {
    const key = windowKey(window.dedupKey, window.windowStart);
    const item = byKey.get(key);
    byKey.delete(key);
    if (!item) {
      problems.push(`no window item ${key}`);
      continue;
    }
    const status = item.status?.S;
    const expected = alerts(window) ? 'sent' : 'counting';
    // A window counting events remembers them (its count is how many); one counting distinct values
    // (or alerted) keeps a count, which a redelivery adds to.
    const remembered = status === 'counting' ? item.seen?.BS : undefined;
    const count = remembered === undefined ? Number(item.eventCount?.N) : remembered.length;
    const countRight = remembered !== undefined ? count === window.events.size : count >= window.events.size;
    const wrong = [
      status === expected ? '' : `status ${status ?? 'none'} (expected ${expected})`,
      countRight ? '' : `event count ${count} (expected ${window.events.size})`,
      !alerts(window) || item.severity?.S === maxOf([...window.events.values()].map((e) => e.severity))
        ? ''
        : `severity ${item.severity?.S ?? 'none'}`,
    ].filter(Boolean);
    if (wrong.length > 0) problems.push(`window item ${key}: ${wrong.join(', ')}`);
  }
  for (const key of byKey.keys()) problems.push(`window item ${key} that no event implies`);
  return problems;
}
