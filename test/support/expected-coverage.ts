// What watches each event type, derived from the catalog by another road than coverageOf(): the
// rules that run (catalog.eventTypes) and the correlations whose steps read them. Tests compare the
// `coverage` command and coverageOf() with it, so they follow the catalog as rules are added.
import type { RuleCatalog } from '../../lib/detection/engine/catalog.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../lib/detection/openai/constants.ts';

/** The ids of the enabled rules, signals and correlations that watch `type`, in registration order. */
export function expectedWatchers(catalog: RuleCatalog, type: string): string[] {
  const running = [...catalog.eventTypes(OPENAI_AUDIT_LOG_TYPE)]
    .filter(([, types]) => types.length === 0 || types.includes(type))
    .map(([id]) => id);
  const correlations = catalog.knownRules
    .filter((rule) => rule.kind === 'correlation' && catalog.getRule(rule.id)?.enabled === true)
    .filter((rule) => (rule.steps ?? []).some((step) => running.includes(step.ruleId)))
    .map((rule) => rule.id);
  const watching = new Set([...running, ...correlations]);
  return catalog.knownRules.map((rule) => rule.id).filter((id) => watching.has(id));
}
