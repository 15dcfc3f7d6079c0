import type { RuleCatalog } from '../engine/catalog.ts';
import { OPENAI_AUDIT_LOG_TYPE } from './constants.ts';

/** One event type and what watches it: `coverage --json` prints these. */
export interface CoverageRow {
  readonly type: string;
  /** The enabled rules, signals and correlations that watch the type, in registration order. */
  readonly rules: readonly string[];
  /** Why nothing watches the type: only when `rules` is empty. */
  readonly reason?: string;
}

/** Said of a type nothing watches and no reason is given for. */
export const NO_REASON = 'no rule watches this event type';

/**
 * Every one of `types`, in their order, with the rules of the catalog's OpenAI audit log type that
 * watch it, or why none does. A single-event rule or signal watches the types it runs on (every
 * type when it declares none); a correlation watches the types of its steps' rules. Only enabled
 * rules count (for a correlation, through an enabled step): a type watched by rules that are turned
 * off is said to be so, naming them. Otherwise the reason is `reasons[type]`, else {@link NO_REASON}.
 *
 * @example
 * ```ts
 * coverageOf(createRuleCatalog(), ['scim.disabled', 'logout.succeeded'], { 'logout.succeeded': 'routine' });
 * // [{ type: 'scim.disabled', rules: ['OpenAI.SCIM.Configuration.Change'] },
 * //  { type: 'logout.succeeded', rules: [], reason: 'routine' }]
 * ```
 */
export function coverageOf(
  catalog: RuleCatalog,
  types: readonly string[],
  reasons: Readonly<Record<string, string | undefined>>,
): CoverageRow[] {
  const declared = catalog.declaredEventTypes(OPENAI_AUDIT_LOG_TYPE);
  const enabled = (id: string) => catalog.getRule(id)?.enabled === true;
  const known = catalog.knownRules.filter((rule) => catalog.getRule(rule.id)?.logTypes.includes(OPENAI_AUDIT_LOG_TYPE));
  const runsOn = (id: string, type: string) => {
    const eventTypes = declared.get(id);
    return declared.has(id) && (eventTypes === undefined || eventTypes.includes(type));
  };
  return types.map((type) => {
    const rules: string[] = [];
    // The rules that would watch the type if they ran, and why they do not.
    const off: string[] = [];
    for (const rule of known) {
      const steps = (rule.steps ?? []).filter((step) => runsOn(step.ruleId, type));
      if (rule.kind === 'correlation' ? steps.length === 0 : !runsOn(rule.id, type)) continue;
      if (!enabled(rule.id))
        off.push(`${rule.id} (${rule.enabled ? 'turned off by the rules configuration' : 'off by default'})`);
      else if (rule.kind === 'correlation' && !steps.some((step) => enabled(step.ruleId)))
        off.push(`${rule.id} (the rules of its steps are turned off)`);
      else rules.push(rule.id);
    }
    if (rules.length > 0) return { type, rules };
    if (off.length > 0) return { type, rules, reason: `watched only by rules that are turned off: ${off.join(', ')}` };
    return { type, rules, reason: reasons[type] ?? NO_REASON };
  });
}
