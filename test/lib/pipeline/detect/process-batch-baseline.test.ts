// The batch logic of first-seen baselines over in-memory fakes: one store update per baseline and
// actor per batch, no write for what is known, an alert for a value new past the learning period,
// the same alert again (claimed, not sent twice) on a redelivery, and a retry when the store fails.
import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import type { RulesSettings } from '../../../../lib/detection/engine/rule-settings.ts';
import type { BaselineRule, BaselineSubject } from '../../../../lib/detection/engine/rule.ts';
import type { AuditEvent } from '../../../../lib/detection/openai/audit-event.ts';
import { openAiAuditLogType } from '../../../../lib/detection/openai/log-type.ts';
import { CREDENTIAL_NEW_SOURCE_RULE_ID } from '../../../../lib/detection/rules/openai/credential-new-source.ts';
import { RATE_LIMIT_RAISED_RULE_ID } from '../../../../lib/detection/rules/openai/rate-limit-raised.ts';
import { createRuleCatalog } from '../../../../lib/detection/rules/create-rule-catalog.ts';
import { processBatch } from '../../../../lib/pipeline/detect/process-batch.ts';
import type { QueueRecord } from '../../../../lib/shared/sqs-batch.ts';
import { fakeDependencies } from '../../../support/fakes/fake-dependencies.ts';

const DAY = 24 * 3600;
const T0 = 1_720_000_000;

const record = (messageId: string, body: unknown): QueueRecord => ({
  messageId,
  body: JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '1' },
});
const failedIds = (result: { batchItemFailures: Array<{ itemIdentifier: string }> }) =>
  result.batchItemFailures.map((f) => f.itemIdentifier);

const session = (country: string, asn: string) => ({
  type: 'session',
  session: {
    user: { id: 'user-alice', email: 'alice@example.com' },
    ip_address: '203.0.113.9',
    ip_address_details: { country, asn },
  },
});
const login = (id: string, at: number, country: string, asn = '64500') => ({
  id,
  type: 'login.succeeded',
  effective_at: at,
  actor: session(country, asn),
});
const keyCreated = (id: string, at: number, country: string, asn = '64500') => ({
  id,
  type: 'api_key.created',
  effective_at: at,
  actor: session(country, asn),
  'api_key.created': { id: `key_${id}`, data: { scopes: ['api.model.read'] } },
});

/** The catalog's baseline rules that observe a session event with a source (those of sessions' sources). */
const BASELINES = createRuleCatalog().evaluate('OpenAI.Audit', login('probe', T0, 'US')).observations.length;

describe('processBatch with a baseline rule', () => {
  it('observes an actor once per batch, writes nothing for what it knows, and alerts on a new source past learning', async () => {
    const fakes = fakeDependencies({ now: T0 + 20 * DAY });
    expect(
      failedIds(await processBatch([record('m1', [login('e1', T0, 'US'), login('e2', T0 + 60, 'US')])], fakes.deps)),
    ).toEqual([]);
    expect([fakes.baselines.updates.length, fakes.baselines.writes]).toEqual([BASELINES, BASELINES]);
    await processBatch([record('m2', login('e3', T0 + 2 * 3600, 'US'))], fakes.deps);
    expect([fakes.baselines.updates.length, fakes.baselines.writes]).toEqual([2 * BASELINES, BASELINES]);
    expect(fakes.publisher.published).toEqual([]);
    const batch = [record('m3', keyCreated('e4', T0 + 10 * DAY, 'FR', '64501'))];
    expect(failedIds(await processBatch(batch, fakes.deps))).toEqual([]);
    expect(fakes.publisher.published.map((a) => [a.ruleId, a.severity])).toEqual([
      [CREDENTIAL_NEW_SOURCE_RULE_ID, 'HIGH'],
    ]);
    expect(fakes.telemetry.count('BaselineNewValues')).toBe(1);
    expect(fakes.telemetry.count('BaselineSightings')).toBe(4 * BASELINES);
    expect(
      fakes.telemetry.logs
        .filter((l) => l.message === 'new value for an actor')
        .map((l) => [l.level, l.fields.newValues]),
    ).toEqual([['INFO', 'country=FR, asn=64501']]);
    // A key created from where the user is known, past learning: nothing new, no alert.
    await processBatch([record('m4', keyCreated('e5', T0 + 11 * DAY, 'US'))], fakes.deps);
    expect(fakes.telemetry.count('BaselineNewValues')).toBe(1);
    expect(fakes.publisher.published).toHaveLength(1);
    // Redelivered, the event finds again what it introduced: its window is claimed again, and the
    // alert already sent is not sent twice.
    await processBatch(batch, fakes.deps);
    expect(fakes.telemetry.count('BaselineNewValues')).toBe(2);
    expect(fakes.publisher.published).toHaveLength(1);
  });

  it('sends nothing while the actor is learning, and nothing for an actor whose first event is the trigger', async () => {
    const fakes = fakeDependencies({ now: T0 + 20 * DAY });
    await processBatch(
      [record('m1', [keyCreated('e1', T0, 'US'), keyCreated('e2', T0 + 3 * DAY, 'FR', '64501')])],
      fakes.deps,
    );
    expect(fakes.publisher.published).toEqual([]);
    expect(fakes.telemetry.count('BaselineNewValues')).toBe(0);
  });

  it("retries the sightings' records when the store fails, and alerts on the retry", async () => {
    const fakes = fakeDependencies({ now: T0 + 20 * DAY });
    await processBatch([record('m1', login('e1', T0, 'US'))], fakes.deps);
    fakes.baselines.failNext(new Error('throttled'));
    const batch = [record('m2', keyCreated('e2', T0 + 10 * DAY, 'FR'))];
    expect(failedIds(await processBatch(batch, fakes.deps))).toEqual(['m2']);
    expect(fakes.publisher.published).toEqual([]);
    expect(failedIds(await processBatch(batch, fakes.deps))).toEqual([]);
    expect(fakes.publisher.published.map((a) => a.severity)).toEqual(['MEDIUM']);
  });
});

describe('processBatch with a baseline rule of its own', () => {
  // A rule that may alert on api_key.created from a new country, learning 7 days, nothing new for long.
  const ownRule = (title: (subject: BaselineSubject<AuditEvent>) => string = ({ actor }) => `new for ${actor}`) =>
    ({
      kind: 'baseline',
      id: 'Own.New.Country',
      defaultSeverity: 'LOW',
      eventTypes: ['api_key.created'],
      actor: (event) => event.actor.key,
      dimensions: { country: (event) => event.actor.country },
      title,
    }) satisfies BaselineRule<AuditEvent>;
  const catalog = (settings: RulesSettings = {}, title?: (subject: BaselineSubject<AuditEvent>) => string) =>
    new RuleCatalog(settings).register(openAiAuditLogType, [ownRule(title)]);

  it('alerts again on the redelivery of the event that introduced a value, after a late event showed it earlier', async () => {
    const fakes = fakeDependencies({ now: T0 + 20 * DAY, catalog: catalog() });
    await processBatch([record('m1', login('e0', T0, 'US'))], fakes.deps);
    const introducing = record('m2', keyCreated('x', T0 + 10 * DAY, 'FR'));
    await processBatch([introducing], fakes.deps);
    await processBatch([record('m3', login('late', T0 + 10 * DAY - 60, 'FR'))], fakes.deps);
    expect(fakes.telemetry.count('BaselineNewValues')).toBe(1);
    await processBatch([introducing], fakes.deps);
    expect(fakes.telemetry.count('BaselineNewValues')).toBe(2);
    expect(fakes.publisher.published.map((a) => a.title)).toEqual(['new for user:user-alice']);
    expect(fakes.telemetry.logs.filter((l) => l.message === 'new value for an actor').map((l) => l.fields)).toEqual([
      { messageId: 'm2', ruleId: 'Own.New.Country', eventId: 'x', newValues: 'country=FR' },
      { messageId: 'm2', ruleId: 'Own.New.Country', eventId: 'x', newValues: 'country=FR' },
    ]);
  });

  it('learns a new value from an event that may not alert, and alerts on nothing', async () => {
    const fakes = fakeDependencies({ now: T0 + 20 * DAY, catalog: catalog() });
    await processBatch([record('m1', [login('e0', T0, 'US'), login('e1', T0 + 10 * DAY, 'FR')])], fakes.deps);
    expect([fakes.telemetry.count('BaselineNewValues'), fakes.publisher.published.length]).toEqual([0, 0]);
    expect(fakes.baselines.writes).toBe(1);
  });

  it('counts and logs a suppressed novelty, and sends nothing', async () => {
    const suppress = { 'Own.New.Country': { suppress: { actorIds: ['user-alice'] } } };
    const fakes = fakeDependencies({ now: T0 + 20 * DAY, catalog: catalog(suppress) });
    const result = await processBatch(
      [record('m1', login('e0', T0, 'US')), record('m2', keyCreated('e1', T0 + 10 * DAY, 'FR'))],
      fakes.deps,
    );
    expect(failedIds(result)).toEqual([]);
    expect(fakes.publisher.published).toEqual([]);
    expect([fakes.telemetry.count('MatchesSuppressed'), fakes.telemetry.count('BaselineNewValues')]).toEqual([1, 0]);
    expect(
      fakes.telemetry.logs
        .filter((l) => l.message === 'match suppressed by the rules configuration')
        .map((l) => l.fields),
    ).toEqual([
      { messageId: 'm2', ruleId: 'Own.New.Country', eventId: 'e1', reason: 'actor id user-alice is suppressed' },
    ]);
  });

  it('handles each sighting once when its write is replayed: one claim, one count', async () => {
    const fakes = fakeDependencies({ now: T0 + 20 * DAY, catalog: catalog() });
    await processBatch([record('m1', login('e0', T0, 'US'))], fakes.deps);
    fakes.baselines.loseNextWrite();
    await processBatch([record('m2', keyCreated('e1', T0 + 10 * DAY, 'FR'))], fakes.deps);
    expect(fakes.publisher.published.map((a) => a.title)).toEqual(['new for user:user-alice']);
    expect(fakes.telemetry.count('BaselineNewValues')).toBe(1);
    expect(fakes.dedup.calls.filter((c) => c.method === 'claimWindow')).toHaveLength(1);
  });

  it('counts and logs a failing output function, and alerts with its default', async () => {
    const failing = catalog({}, () => {
      throw new Error('title bug');
    });
    const fakes = fakeDependencies({ now: T0 + 20 * DAY, catalog: failing });
    await processBatch(
      [record('m1', login('e0', T0, 'US')), record('m2', keyCreated('e1', T0 + 10 * DAY, 'FR'))],
      fakes.deps,
    );
    expect(fakes.publisher.published.map((a) => a.title)).toEqual(['Own.New.Country']);
    expect(fakes.telemetry.count('RuleErrors')).toBe(1);
    expect(fakes.telemetry.logs.filter((l) => l.message === 'rule error')).toEqual([
      {
        level: 'ERROR',
        message: 'rule error',
        fields: {
          messageId: 'm2',
          ruleId: 'Own.New.Country',
          eventId: 'e1',
          function: 'title',
          error: 'Error: title bug',
        },
      },
    ]);
  });

  it('publishes a raised value before the state that records it is written: after a failed publish, the retry finds the same raise', async () => {
    const fakes = fakeDependencies({ now: T0 + DAY });
    const update = (id: string, at: number, rpm: number) => ({
      id,
      type: 'rate_limit.updated',
      effective_at: at,
      actor: session('US', '64500'),
      'rate_limit.updated': { id: 'rl_1', changes_requested: { max_requests_per_1_minute: rpm } },
    });
    await processBatch([record('m0', update('r0', T0, 100))], fakes.deps);
    const learned = [...fakes.baselines.states.values()];
    // The raise and, in the same batch, a revert: its publish fails.
    fakes.publisher.failNext(new Error('SNS is down'));
    const batch = [record('m1', update('r1', T0 + 60, 1000)), record('m2', update('r2', T0 + 120, 100))];
    // The rate limit's sightings are one write: both records are retried, nothing is written.
    expect(failedIds(await processBatch(batch, fakes.deps))).toEqual(['m1', 'm2']);
    expect([...fakes.baselines.states.values()]).toEqual(learned);
    expect(failedIds(await processBatch(batch, fakes.deps))).toEqual([]);
    expect(fakes.publisher.published.map((a) => [a.ruleId, a.eventId])).toEqual([[RATE_LIMIT_RAISED_RULE_ID, 'r1']]);
  });
});
