// How an event_count's timespan maps onto the engine's windows: tumbling windows aligned to the
// period in event time, not Sigma's sliding timespan, so a burst across a boundary is split.
import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import { openAiAuditLogType } from '../../../../lib/detection/openai/log-type.ts';
import { compileSigmaFile } from '../../../../lib/detection/sigma/index.ts';
import { runRuleTest } from '../../../../lib/detection/testing/run-test.ts';
import { base, correlation } from './helpers.ts';

const { rules } = compileSigmaFile(
  [
    correlation(
      '  type: event_count\n  rules: [created]\n  group-by: [actor.session.user.email]\n  timespan: 10m\n  condition:\n    gte: 3',
    ),
    base('created', 'api_key.created'),
  ].join('---\n'),
  'x.yml',
);
const catalog = new RuleCatalog().register(openAiAuditLogType, rules);

/** A window boundary: a multiple of the 10-minute period. */
const BOUNDARY = 1_736_935_800;
const created = (id: string, at: number) => ({
  id,
  type: 'api_key.created',
  effective_at: at,
  actor: { type: 'session', session: { user: { email: 'a@x' } } },
});
const run = (events: unknown[]) =>
  runRuleTest(catalog, 'corr', { name: 'burst', expectedResult: true, events: events as never });

describe('event_count windows', () => {
  it('alert when the count is reached within one window', () => {
    expect(run([created('a', BOUNDARY + 10), created('b', BOUNDARY + 20), created('c', BOUNDARY + 30)]).passed).toBe(
      true,
    );
  });

  it('split a burst that straddles a boundary (a sliding window would alert)', () => {
    const result = run([created('a', BOUNDARY - 20), created('b', BOUNDARY - 10), created('c', BOUNDARY + 10)]);
    expect(result.failures).toEqual(['expected result true, got false']);
  });

  it('count an event delivered twice once', () => {
    expect(run([created('a', BOUNDARY + 10), created('a', BOUNDARY + 10), created('b', BOUNDARY + 20)]).passed).toBe(
      false,
    );
  });
});
