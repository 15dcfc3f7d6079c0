// A detection written as data (a Panther simple detection, compiled) against the same detection
// written in TypeScript, on the corpus's events: what writing a rule as data costs per event.
import { RuleCatalog } from '../../lib/detection/engine/catalog.ts';
import type { Rule } from '../../lib/detection/engine/rule.ts';
import type { AuditEvent } from '../../lib/detection/openai/audit-event.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../lib/detection/openai/constants.ts';
import { openAiAuditLogType } from '../../lib/detection/openai/log-type.ts';
import { compilePantherDetection } from '../../lib/detection/panther/compile.ts';
import { messageContent } from '../../lib/pipeline/intake/message-body.ts';
import { cpuMs, figure, type Figure } from './stats.ts';

/** A watched source range, written as a prefix (the corpus's sources are 198.51.100.0/24). */
const WATCHED_PREFIX = '198.51.100.1';

/** The detection as a security team would write it: YAML. */
export const OWN_RULE_YAML = `AnalysisType: rule
RuleID: Bench.Failed.Login.Watched.Range
Enabled: true
LogTypes: [OpenAI.Audit]
Severity: Medium
Detection:
  - Key: type
    Condition: Equals
    Value: login.failed
  - KeyPath: actor.session.ip_address
    Condition: StartsWith
    Value: "${WATCHED_PREFIX}"
AlertTitle: "Failed login from {actor.session.ip_address} for [{actor.session.user.email}]"
GroupBy:
  - KeyPath: actor.session.user.email
`;

/** The same detection in TypeScript, as a rule of this repository would be written. */
const typescriptRule: Rule<AuditEvent> = {
  id: 'Bench.Failed.Login.Watched.Range',
  defaultSeverity: 'MEDIUM',
  eventTypes: ['login.failed'],
  match: (event) => event.actor.ipAddress?.startsWith(WATCHED_PREFIX) === true,
  title: (event) => `Failed login from ${event.actor.ipAddress ?? ''} for [${event.actor.email ?? ''}]`,
  dedup: (event) => event.actor.email ?? '',
};

/** What {@link measureOwnRule} measured. */
export interface OwnRuleFigures {
  /** Per round: (data rule's CPU - an empty catalog's) / (TypeScript rule's - the empty catalog's). */
  readonly ownRuleCostRatio: Figure;
  readonly meta: {
    readonly events: number;
    readonly matches: { readonly data: number; readonly typescript: number };
    readonly cpuMs: { readonly data: Figure; readonly typescript: Figure; readonly emptyCatalog: Figure };
  };
}

/**
 * Runs both catalogs, and an empty one (the engine's own per-event work: normalising the event),
 * over the corpus's events, parsed once beforehand, in alternating rounds.
 *
 * @example
 * ```ts
 * const { ownRuleCostRatio } = measureOwnRule(corpus.lines, 9);
 * ```
 */
export function measureOwnRule(lines: readonly string[], rounds: number): OwnRuleFigures {
  const events: unknown[] = [];
  for (const line of lines) {
    const content = messageContent(line);
    if (content.kind === 'events') for (const { event } of content.events) events.push(event);
  }
  const catalog = (rules: ReadonlyArray<Rule<AuditEvent>>) => new RuleCatalog().register(openAiAuditLogType, rules);
  const catalogs = {
    data: catalog([compilePantherDetection(OWN_RULE_YAML, 'bench.yml').rule]),
    typescript: catalog([typescriptRule]),
    emptyCatalog: catalog([]),
  };
  const matchesOf = (rules: RuleCatalog) => {
    let matches = 0;
    for (const event of events) matches += rules.evaluate(OPENAI_AUDIT_LOG_TYPE, event).matches.length;
    return matches;
  };
  const matches = { data: matchesOf(catalogs.data), typescript: matchesOf(catalogs.typescript) };
  // Not the same detection if they disagree (a corpus without such logins matches neither: the
  // figure then compares the work on events that do not match).
  if (matches.data !== matches.typescript)
    throw new Error(`the two rules disagree: ${matches.data} matches as data, ${matches.typescript} in TypeScript`);
  const times = { data: [] as number[], typescript: [] as number[], emptyCatalog: [] as number[] };
  for (let round = -2; round < rounds; round++) {
    for (const name of ['data', 'typescript', 'emptyCatalog'] as const) {
      const ms = cpuMs(() => matchesOf(catalogs[name]));
      if (round >= 0) times[name].push(ms);
    }
  }
  const ratios = times.data.map(
    (data, i) =>
      (data - (times.emptyCatalog[i] ?? 0)) /
      Math.max(0.001, (times.typescript[i] ?? 0) - (times.emptyCatalog[i] ?? 0)),
  );
  return {
    ownRuleCostRatio: figure(ratios, 2),
    meta: {
      events: events.length,
      matches,
      cpuMs: {
        data: figure(times.data, 1),
        typescript: figure(times.typescript, 1),
        emptyCatalog: figure(times.emptyCatalog, 1),
      },
    },
  };
}
