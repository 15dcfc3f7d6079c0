// The batch logic of first-seen baselines over in-memory fakes: one store update per baseline and
// actor per batch, no write for what is known, an alert for a value new past the learning period,
// the same alert again (claimed, not sent twice) on a redelivery, and a retry when the store fails.
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_NEW_SOURCE_RULE_ID } from '../../../../lib/detection/rules/openai/credential-new-source.ts';
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

describe('processBatch with a baseline rule', () => {
  it('observes an actor once per batch, writes nothing for what it knows, and alerts on a new source past learning', async () => {
    const fakes = fakeDependencies({ now: T0 + 20 * DAY });
    expect(
      failedIds(await processBatch([record('m1', [login('e1', T0, 'US'), login('e2', T0 + 60, 'US')])], fakes.deps)),
    ).toEqual([]);
    expect([fakes.baselines.updates.length, fakes.baselines.writes]).toEqual([1, 1]);
    await processBatch([record('m2', login('e3', T0 + 2 * 3600, 'US'))], fakes.deps);
    expect([fakes.baselines.updates.length, fakes.baselines.writes]).toEqual([2, 1]);
    expect(fakes.publisher.published).toEqual([]);
    const batch = [record('m3', keyCreated('e4', T0 + 10 * DAY, 'FR', '64501'))];
    expect(failedIds(await processBatch(batch, fakes.deps))).toEqual([]);
    expect(fakes.publisher.published.map((a) => [a.ruleId, a.severity])).toEqual([
      [CREDENTIAL_NEW_SOURCE_RULE_ID, 'HIGH'],
    ]);
    expect(fakes.telemetry.count('BaselineNewValues')).toBe(1);
    expect(fakes.telemetry.count('BaselineSightings')).toBe(4);
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
