// Property-based tests: no input may make the engine or a rule throw or report a rule error, only
// api_key.created/updated events ever match, and wherever Panther's rule alerts, ours alerts at
// least as severely.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { severityRank, type Severity } from '../../lib/detection/engine/severity.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../lib/detection/openai/constants.ts';
import { createRuleCatalog } from '../../lib/detection/rules/create-rule-catalog.ts';
import { StreamEvaluator } from '../../lib/detection/engine/stream-evaluator.ts';
import { SEVERITIES } from '../../lib/detection/engine/severity.ts';

const catalog = createRuleCatalog();
// npm test runs 1,000 cases per property; npm run test:reliability runs 100,000 (PROPERTY_RUNS).
const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const PANTHER_SCOPES = ['all', 'models:write', 'organization:write', 'api_keys:write', 'admin'];
// Every event type a registered rule can match (tests follow the catalog), and a few it must not.
const RULE_TYPES = [...new Set([...catalog.eventTypes(OPENAI_AUDIT_LOG_TYPE).values()].flat())];
const TYPES = [...RULE_TYPES, 'api_key.deleted', 'API_KEY.CREATED', 'constructor', '__proto__'];
const API_KEY_RULE = 'OpenAI.API.Key.Anomalous.Activity';
const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'data',
  'scopes',
  'id',
  'user',
  'session',
];

const scopeEntry = fc.oneof(
  fc.constantFrom(...PANTHER_SCOPES, 'api.organization.projects.api_keys.write', 'api.model.read', ' ALL ', '', '*'),
  fc.string(),
  fc.jsonValue({ maxDepth: 2 }),
);
const scopes = fc.oneof(fc.array(scopeEntry, { maxLength: 12 }), scopeEntry);
const identity = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.jsonValue({ maxDepth: 1 }));
const actor = fc.oneof(
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      type: fc.constantFrom('session', 'api_key', 'other'),
      session: fc.record(
        { user: fc.record({ id: identity, email: identity }, { requiredKeys: [] }), ip_address: identity },
        { requiredKeys: [] },
      ),
      api_key: fc.record(
        {
          id: identity,
          type: identity,
          user: fc.record({ id: identity, email: identity }, { requiredKeys: [] }),
          service_account: fc.record({ id: identity }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  ),
);
const details = fc.oneof(
  fc.record(
    {
      id: fc.oneof(
        identity,
        fc.constantFrom(
          'role_assignment_role-api-organization-owner__api-organization__org-1_user-2',
          'role_assignment_',
        ),
      ),
      data: fc.oneof(fc.record({ scopes }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 })),
      changes_requested: fc.record({ scopes }, { requiredKeys: [] }),
      principal_id: identity,
      principal_type: identity,
      role_id: identity,
      role_name: identity,
      resource_type: fc.oneof(identity, fc.constant('api.organization')),
      allowed_ips: fc.oneof(
        fc.array(fc.oneof(fc.string(), fc.constant('0.0.0.0/0'), fc.jsonValue({ maxDepth: 1 }))),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      configs: fc.jsonValue({ maxDepth: 2 }),
      error_code: identity,
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const event = fc
  .record({
    id: identity,
    type: fc.oneof(fc.constantFrom(...TYPES), fc.string()),
    actor,
    details,
    dotted: fc.boolean(),
    project: fc.jsonValue({ maxDepth: 2 }),
  })
  .map(({ dotted, details: d, type, ...rest }) => ({
    ...rest,
    type,
    [typeof type === 'string' && !dotted ? type.replaceAll('.', '_') : type]: d,
  }));

function pantherReference(raw: Record<string, unknown>): Severity | undefined {
  if (raw.type !== 'api_key.created' && raw.type !== 'api_key.updated') return undefined;
  const read = (key: string): unknown => {
    const d = raw[key];
    if (typeof d !== 'object' || d === null || Array.isArray(d)) return undefined;
    const data = (d as Record<string, unknown>).data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
    return (data as Record<string, unknown>).scopes;
  };
  const list = read('api_key_created') ?? read('api_key_updated');
  if (!Array.isArray(list)) return undefined;
  const found = list.filter((s): s is string => typeof s === 'string' && PANTHER_SCOPES.includes(s.toLowerCase()));
  if (found.length === 0) return undefined;
  return found.some((s) => ['all', 'admin'].includes(s.toLowerCase())) ? 'HIGH' : 'MEDIUM';
}

describe('engine properties', () => {
  it('never throws and never reports a rule error on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, value);
        expect(result.errors).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("on event-shaped input of every rule's types: no rule error, matches only from rules that want the type, outputs within bounds", () => {
    const wants = catalog.eventTypes(OPENAI_AUDIT_LOG_TYPE);
    fc.assert(
      fc.property(event, (raw) => {
        const { matches, signals, suppressed, steps, errors } = catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, raw);
        expect(errors).toEqual([]);
        expect(suppressed).toEqual([]);
        // A signal carries no outputs (nothing reads them); the rule's own run gives them, and must
        // agree that it matches.
        const signalOutputs = signals.map((signal) => {
          const { identity, outcome } = catalog.evaluateRule(signal.rule.id, raw);
          expect(outcome.kind).toBe('match');
          expect(identity).toEqual({
            eventId: signal.eventId,
            eventType: signal.eventType,
            eventTime: signal.eventTime,
          });
          return outcome.kind === 'match' ? { ...signal, ...outcome.output } : undefined;
        });
        // And every signal rule that matches on its own is among the signals.
        for (const [ruleId] of wants) {
          if (catalog.getRule(ruleId)?.createAlert !== false) continue;
          const alone = catalog.evaluateRule(ruleId, raw).outcome.kind === 'match';
          expect(signals.some((signal) => signal.rule.id === ruleId)).toBe(alone);
        }
        for (const match of [...matches, ...signalOutputs.filter((output) => output !== undefined)]) {
          expect(wants.get(match.rule.id)).toContain(raw.type);
          expect(SEVERITIES).toContain(match.severity);
          expect(match.title.length).toBeLessThanOrEqual(1000);
          expect(match.dedup.length).toBeLessThanOrEqual(1000);
          expect(match.alertContext._error).toBeUndefined();
          if (match.rule.id === API_KEY_RULE) {
            expect(['MEDIUM', 'HIGH']).toContain(match.severity);
            expect(match.title.startsWith(`OpenAI API Key with Elevated Scopes: ${String(raw.type)} by [`)).toBe(true);
            expect(match.dedup.startsWith(`${API_KEY_RULE}:${String(raw.type)}:`)).toBe(true);
          }
        }
        // A correlation step comes only from a signal matched on this very event.
        for (const step of steps) expect(signals.some((signal) => signal.eventId === step.eventId)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('runs any sequence of events through windows, thresholds and correlations without a rule error', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        const stream = new StreamEvaluator(catalog, OPENAI_AUDIT_LOG_TYPE, { now: () => 1_700_000_000 });
        for (const raw of events) expect(stream.push(raw).errors).toEqual([]);
      }),
      { numRuns: Math.max(100, Math.round(RUNS / 10)) },
    );
  });

  it("alerts wherever Panther's rule alerts, at least as severely", () => {
    fc.assert(
      fc.property(event, (raw) => {
        const panther = pantherReference(raw);
        const [match] = catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, raw).matches;
        if (panther !== undefined) {
          expect(match).toBeDefined();
          expect(severityRank(match?.severity ?? 'INFO')).toBeGreaterThanOrEqual(severityRank(panther));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('treats prototype-named keys anywhere in the JSON text as plain data', () => {
    const pairs = fc.array(fc.tuple(fc.constantFrom(...HOSTILE_KEYS), fc.jsonValue({ maxDepth: 2 })), { maxLength: 5 });
    const obj = (entries: Array<[string, unknown]>, extra = '') =>
      `{${[...entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`), ...(extra ? [extra] : [])].join(',')}}`;
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), pairs, pairs, pairs, pairs, (type, top, det, data, act) => {
        const text = obj(
          top,
          `"type":${JSON.stringify(type)},"id":"e","actor":${obj(act)},${JSON.stringify(type)}:${obj(det, `"data":${obj(data, '"scopes":["all"]')}`)}`,
        );
        const result = catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, JSON.parse(text));
        expect(result.errors).toEqual([]);
        expect(Object.prototype).not.toHaveProperty('scopes');
      }),
      { numRuns: RUNS },
    );
  });

  it('survives deep nesting', () => {
    let deep: unknown = { scopes: ['all'] };
    for (let i = 0; i < 10_000; i++) deep = { data: deep };
    const raw = { id: 'e', type: 'api_key.created', actor: deep, 'api_key.created': deep };
    expect(catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, raw).errors).toEqual([]);
  });
});
