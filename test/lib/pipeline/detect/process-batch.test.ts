// The batch logic over in-memory fakes of its ports: what a batch publishes, retries and dead-letters,
// and what it counts, with no emulator. The ports' adapters are tested over the wire.
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../lib/shared/json.ts';
import { API_KEY_ANOMALOUS_ACTIVITY_RULE_ID } from '../../../../lib/detection/rules/openai/api-key-anomalous-activity.ts';
import { BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID } from '../../../../lib/detection/rules/openai/brute-force-login-success.ts';
import { TAKEOVER_CHAIN_BRUTE_FORCE_RULE_ID } from '../../../../lib/detection/rules/openai/takeover-chain-brute-force.ts';
import { alertIdFor } from '../../../../lib/pipeline/dedup/dedup-item.ts';
import { placeInWindow } from '../../../../lib/pipeline/dedup/window.ts';
import { WindowBusyError } from '../../../../lib/pipeline/detect/errors.ts';
import { envelopeValue } from '../../../../lib/ingestion/packing/envelope.ts';
import { processBatch } from '../../../../lib/pipeline/detect/process-batch.ts';
import type { QueueRecord } from '../../../../lib/shared/sqs-batch.ts';
import { fakeDependencies } from '../../../support/fakes/fake-dependencies.ts';
import { EVENT_TIME, benign, keyEvent } from '../../../integration/events.ts';

const KEY_RULE = API_KEY_ANOMALOUS_ACTIVITY_RULE_ID;
const keyDedup = (actor: string) => `${KEY_RULE}:api_key.created:user:${actor}`;
const WINDOW = placeInWindow(EVENT_TIME, EVENT_TIME, 3600).windowStart;

const record = (messageId: string, body: unknown, receiveCount = 1): QueueRecord => ({
  messageId,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: { ApproximateReceiveCount: String(receiveCount) },
});
const failedIds = (result: { batchItemFailures: Array<{ itemIdentifier: string }> }) =>
  result.batchItemFailures.map((f) => f.itemIdentifier);

const login = (id: string, type: 'login.failed' | 'login.succeeded', email: string, at: number) => ({
  id,
  type,
  effective_at: at,
  actor: { type: 'session', session: { user: { id: `user-${email}`, email }, ip_address: '203.0.113.9' } },
  ...(type === 'login.failed' ? { 'login.failed': { error_code: 'invalid_credentials' } } : {}),
});

const adminKeyCreated = (id: string, email: string, at: number) => ({
  id,
  type: 'tenant.admin_api_key.created',
  effective_at: at,
  actor: { type: 'session', session: { user: { id: `user-${email}`, email }, ip_address: '203.0.113.9' } },
  'tenant.admin_api_key.created': { id: 'key_admin_new' },
});

describe('processBatch over in-memory ports', () => {
  it('claims a batch’s matches of one window together and publishes one alert; the others are suppressed', async () => {
    const fakes = fakeDependencies();
    const result = await processBatch(
      [record('m1', [keyEvent('e1', 'alice'), keyEvent('e2', 'alice')]), record('m2', keyEvent('e3', 'alice'))],
      fakes.deps,
    );
    expect(failedIds(result)).toEqual([]);
    // One claim for the three matches; the two after the alerting one are claimed again once the
    // alert is out (they could escalate it).
    const window = { method: 'claimWindow', dedupKey: keyDedup('alice'), windowStart: WINDOW };
    expect(fakes.dedup.calls.filter((c) => c.method === 'claimWindow')).toEqual([
      { ...window, matches: 3 },
      { ...window, matches: 2 },
    ]);
    expect(fakes.publisher.published.map((a) => [a.ruleId, a.alertId])).toEqual([
      [KEY_RULE, alertIdFor(keyDedup('alice'), WINDOW)],
    ]);
    expect(fakes.dedup.window(keyDedup('alice'), WINDOW)?.status).toBe('sent');
    expect([fakes.telemetry.count('MatchesAlerted'), fakes.telemetry.count('AlertsSuppressed')]).toEqual([1, 2]);
    expect(fakes.telemetry.count('EventsReceived')).toBe(3);
  });

  it('runs keys apart: each dedup key gets its own alert', async () => {
    const fakes = fakeDependencies();
    await processBatch([record('m1', [keyEvent('e1', 'alice'), keyEvent('e2', 'bob')])], fakes.deps);
    expect(fakes.publisher.published.map((a) => a.dedupKey).sort()).toEqual([keyDedup('alice'), keyDedup('bob')]);
  });

  it('sends a malformed body and items that are not audit events to the dead-letter sink, and processes the rest', async () => {
    const fakes = fakeDependencies();
    const result = await processBatch(
      [record('bad', '{not json'), record('mixed', [42, keyEvent('e1', 'alice')])],
      fakes.deps,
    );
    expect(failedIds(result)).toEqual([]);
    expect(fakes.deadLetters.letters.map((l) => [l.sourceMessageId, l.kind])).toEqual([
      ['bad', 'malformed-body'],
      ['mixed', 'not-audit-events'],
    ]);
    expect(fakes.deadLetters.letters[1]?.body).toBe('[42]');
    expect(fakes.publisher.published).toHaveLength(1);
    expect([fakes.telemetry.count('MalformedEvents'), fakes.telemetry.count('DeadLettered')]).toEqual([2, 2]);
  });

  it('retries only the records of a window whose publish failed, gives the window back, and holds their letters for the retry', async () => {
    const fakes = fakeDependencies();
    fakes.publisher.failNext(new Error('SNS throttled'));
    const batch = [record('a', [keyEvent('e1', 'alice'), 7]), record('b', keyEvent('e2', 'bob'))];
    const first = await processBatch(batch, fakes.deps);
    expect(failedIds(first)).toEqual(['a']);
    expect(fakes.dedup.calls.filter((c) => c.method === 'release').map((c) => c.dedupKey)).toEqual([keyDedup('alice')]);
    expect(fakes.publisher.published.map((a) => a.dedupKey)).toEqual([keyDedup('bob')]);
    expect(fakes.deadLetters.letters).toEqual([]);
    // The retry takes the released window over and publishes the same alert, then sends the letter once.
    const retry = await processBatch([record('a', [keyEvent('e1', 'alice'), 7], 2)], fakes.deps);
    expect(failedIds(retry)).toEqual([]);
    expect(fakes.publisher.published.map((a) => a.dedupKey)).toEqual([keyDedup('bob'), keyDedup('alice')]);
    expect(fakes.deadLetters.letters.map((l) => [l.sourceMessageId, l.kind])).toEqual([['a', 'not-audit-events']]);
  });

  it('dead-letters the events of a window that fails on the last receive, with the reason, and does not retry it', async () => {
    const fakes = fakeDependencies({ maxReceiveCount: 3 });
    fakes.dedup.failNext('claimWindow', new Error('ProvisionedThroughputExceeded'));
    const result = await processBatch(
      [record('last', [keyEvent('e1', 'alice'), keyEvent('x', 'nobody', { scopes: [] })], 3)],
      fakes.deps,
    );
    expect(failedIds(result)).toEqual([]);
    expect(fakes.deadLetters.letters).toHaveLength(1);
    expect(fakes.deadLetters.letters[0]).toMatchObject({ kind: 'retries-exhausted', sourceMessageId: 'last' });
    expect(JSON.parse(fakes.deadLetters.letters[0]?.body ?? '')).toMatchObject([{ id: 'e1' }]);
    expect(fakes.deadLetters.letters[0]?.reason).toContain('ProvisionedThroughputExceeded');
  });

  it('keeps an enveloped record’s failed events in their envelope, so a redrive is its organization’s', async () => {
    const fakes = fakeDependencies({ maxReceiveCount: 3 });
    fakes.dedup.failNext('claimWindow', new Error('ProvisionedThroughputExceeded'));
    const organization = { id: 'org-acme', name: 'Acme' };
    const body = JSON.stringify(
      envelopeValue(organization, 'poller', [keyEvent('e1', 'alice'), benign('b1')] as JsonValue[]),
    );
    expect(failedIds(await processBatch([record('last', body, 3)], fakes.deps))).toEqual([]);
    expect(fakes.deadLetters.letters.map((l) => [l.kind, JSON.parse(l.body) as unknown])).toEqual([
      ['retries-exhausted', envelopeValue(organization, 'poller', [keyEvent('e1', 'alice')] as JsonValue[])],
    ]);
    // Redriven, it alerts as the organization's (its title says so).
    await processBatch([record('redriven', fakes.deadLetters.letters[0]?.body ?? '')], fakes.deps);
    expect(fakes.publisher.published.map((a) => a.title)).toEqual([
      expect.stringMatching(/^Acme: OpenAI API Key with Elevated Scopes/) as unknown,
    ]);
  });

  it('dead-letters at once what can never be delivered (a permanent error), without retrying', async () => {
    const fakes = fakeDependencies();
    fakes.publisher.failNext(Object.assign(new Error('message too large'), { name: 'InvalidParameterException' }));
    const result = await processBatch([record('m', keyEvent('e1', 'alice'))], fakes.deps);
    expect(failedIds(result)).toEqual([]);
    expect(fakes.deadLetters.letters.map((l) => l.kind)).toEqual(['permanent-error']);
  });

  it('retries a record whose more severe match waits on a window another invocation is publishing; a less severe one is suppressed there', async () => {
    const fakes = fakeDependencies();
    fakes.dedup.hold(keyDedup('alice'), WINDOW, 'MEDIUM', fakes.deps.clock() + 30);
    const severe = await processBatch([record('high', keyEvent('e1', 'alice', { scopes: ['all'] }))], fakes.deps);
    expect(failedIds(severe)).toEqual(['high']);
    expect(
      fakes.telemetry.logs.find((l) => l.message === 'match not delivered; the record will be retried'),
    ).toMatchObject({
      level: 'INFO',
    });
    const milder = await processBatch(
      [record('medium', keyEvent('e2', 'alice', { scopes: ['models:write'] }))],
      fakes.deps,
    );
    expect(failedIds(milder)).toEqual([]);
    expect(fakes.telemetry.count('AlertsSuppressed')).toBe(1);
    expect(fakes.publisher.published).toEqual([]);
    expect(WindowBusyError.name).toBe('WindowBusyError');
  });

  it('escalates within one batch: a more severe match after the alert publishes an escalation', async () => {
    const fakes = fakeDependencies();
    await processBatch(
      [
        record('m', [
          keyEvent('e1', 'alice', { scopes: ['models:write'] }),
          keyEvent('e2', 'alice', { scopes: ['all'] }),
        ]),
      ],
      fakes.deps,
    );
    expect(fakes.publisher.published.map((a) => [a.severity, a.escalatesAlertId ?? null])).toEqual([
      ['MEDIUM', null],
      ['HIGH', alertIdFor(keyDedup('alice'), WINDOW)],
    ]);
    expect(fakes.telemetry.count('AlertsEscalated')).toBe(1);
  });

  it('publishes an earlier window of the same key whose publisher is gone before the new one', async () => {
    const fakes = fakeDependencies();
    fakes.dedup.hold(keyDedup('alice'), WINDOW - 3600, 'HIGH', fakes.deps.clock() - 1);
    await processBatch([record('m', keyEvent('e1', 'alice'))], fakes.deps);
    expect(fakes.publisher.published.map((a) => (a as unknown as { held?: boolean }).held ?? a.alertId)).toEqual([
      true,
      alertIdFor(keyDedup('alice'), WINDOW),
    ]);
    expect(fakes.telemetry.count('PendingWindowsRecovered')).toBe(1);
  });

  it('does not retry a record whose alert is out but whose window could not be marked sent; it says so', async () => {
    const fakes = fakeDependencies();
    fakes.dedup.failNext('markSent', new Error('throttled'), 3);
    const result = await processBatch([record('m', keyEvent('e1', 'alice'))], fakes.deps);
    expect(failedIds(result)).toEqual([]);
    expect(fakes.publisher.published).toHaveLength(1);
    expect(fakes.telemetry.logs.filter((l) => l.level === 'ERROR').map((l) => l.message)).toEqual([
      'alert published but not marked sent',
    ]);
  });

  it('retries the record whose dead letter could not be sent', async () => {
    const fakes = fakeDependencies();
    fakes.deadLetters.failNext(new Error('SQS down'));
    const result = await processBatch([record('bad', '{'), record('good', keyEvent('e1', 'alice'))], fakes.deps);
    expect(failedIds(result)).toEqual(['bad']);
    expect(fakes.publisher.published).toHaveLength(1);
  });

  it('records a batch’s correlation steps of one account with one update and claims the finding once', async () => {
    const fakes = fakeDependencies();
    const failures = Array.from({ length: 6 }, (_, i) =>
      login(`f${i}`, 'login.failed', 'v@example.com', EVENT_TIME + i),
    );
    const success = login('s', 'login.succeeded', 'v@example.com', EVENT_TIME + 60);
    const result = await processBatch([record('m1', failures), record('m2', [success, success])], fakes.deps);
    expect(failedIds(result)).toEqual([]);
    // The brute-force rule's, and the takeover chain's, whose first step its finding is.
    expect(fakes.correlations.updates).toEqual([
      { ruleId: BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID, key: 'v@example.com' },
      { ruleId: TAKEOVER_CHAIN_BRUTE_FORCE_RULE_ID, key: 'v@example.com' },
    ]);
    // The success delivered twice finds the finding twice: one claim of both, then the second
    // claimed again after the alert.
    expect(
      fakes.dedup.calls.filter(
        (c) => c.method === 'claimWindow' && c.dedupKey.startsWith(BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID),
      ),
    ).toMatchObject([{ matches: 2 }, { matches: 1 }]);
    expect(fakes.publisher.published.filter((a) => a.ruleId === BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID)).toHaveLength(1);
    // Eight logins, and the finding (found twice) as the chain's step.
    expect(fakes.telemetry.count('CorrelationStepsRecorded')).toBe(10);
  });

  it('publishes what a correlation’s steps complete before it writes them: a failed publish writes nothing, and the retry alerts', async () => {
    const fakes = fakeDependencies();
    const failures = Array.from({ length: 5 }, (_, i) =>
      login(`f${i}`, 'login.failed', 'u@example.com', EVENT_TIME + i),
    );
    await processBatch([record('m1', failures)], fakes.deps);
    const stored = [...fakes.correlations.states.values()];
    fakes.publisher.failNext(new Error('SNS is down'));
    const success = record('m2', login('s', 'login.succeeded', 'u@example.com', EVENT_TIME + 60));
    expect(failedIds(await processBatch([success], fakes.deps))).toEqual(['m2']);
    // The state still lacks the success: any later write may drop what it does not hold, so it
    // holds nothing whose alert is not out.
    expect([...fakes.correlations.states.values()]).toEqual(stored);
    expect(
      failedIds(await processBatch([{ ...success, attributes: { ApproximateReceiveCount: '2' } }], fakes.deps)),
    ).toEqual([]);
    expect(fakes.publisher.published.filter((a) => a.ruleId === BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID)).toHaveLength(1);
    expect(
      fakes.correlations.states.get(`${BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID}\n${fakes.correlations.updates[0]?.key}`)
        ?.steps[1],
    ).toEqual([{ eventId: 's', time: EVENT_TIME + 60, detail: '203.0.113.9' }]);
  });

  it('records a brute-force finding as a step of the takeover chain, so an admin action by the user alerts CRITICAL', async () => {
    const fakes = fakeDependencies();
    const failures = Array.from({ length: 5 }, (_, i) =>
      login(`f${i}`, 'login.failed', 't@example.com', EVENT_TIME + i),
    );
    const action = adminKeyCreated('act', 't@example.com', EVENT_TIME + 90);
    const result = await processBatch(
      [
        record('m1', failures),
        record('m2', login('s', 'login.succeeded', 't@example.com', EVENT_TIME + 60)),
        record('m3', action),
      ],
      fakes.deps,
    );
    expect(failedIds(result)).toEqual([]);
    const chain = fakes.publisher.published.filter((a) => a.ruleId === TAKEOVER_CHAIN_BRUTE_FORCE_RULE_ID);
    expect(chain.map((a) => [a.severity, a.eventId, a.alertContext.brute_force_success_event_id])).toEqual([
      ['CRITICAL', 'act', 's'],
    ]);
    expect(fakes.correlations.states.get(`${TAKEOVER_CHAIN_BRUTE_FORCE_RULE_ID}\nt@example.com`)?.steps).toEqual([
      [{ eventId: 's', time: EVENT_TIME + 60, detail: '203.0.113.9' }],
      [{ eventId: 'act', time: EVENT_TIME + 90, detail: 'OpenAI.Admin.API.Key.Change' }],
    ]);
  });

  it('writes no brute-force state when the chain’s update fails: the records are retried and the chain alerts on the retry', async () => {
    const fakes = fakeDependencies();
    const failures = Array.from({ length: 5 }, (_, i) =>
      login(`f${i}`, 'login.failed', 'r@example.com', EVENT_TIME + i),
    );
    await processBatch(
      [record('m1', failures), record('m3', adminKeyCreated('act', 'r@example.com', EVENT_TIME + 600))],
      fakes.deps,
    );
    const before = fakes.correlations.states.get(`${BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID}\nr@example.com`);
    fakes.correlations.failNextOf(TAKEOVER_CHAIN_BRUTE_FORCE_RULE_ID, new Error('throttled'));
    const success = record('m2', login('s', 'login.succeeded', 'r@example.com', EVENT_TIME + 60));
    expect(failedIds(await processBatch([success], fakes.deps))).toEqual(['m2']);
    expect(fakes.correlations.states.get(`${BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID}\nr@example.com`)).toEqual(before);
    expect(
      failedIds(await processBatch([{ ...success, attributes: { ApproximateReceiveCount: '2' } }], fakes.deps)),
    ).toEqual([]);
    expect(fakes.publisher.published.filter((a) => a.ruleId === TAKEOVER_CHAIN_BRUTE_FORCE_RULE_ID)).toHaveLength(1);
    expect(fakes.publisher.published.filter((a) => a.ruleId === BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID)).toHaveLength(1);
  });

  it('retries the records of a correlation update that failed, and only those', async () => {
    const fakes = fakeDependencies();
    fakes.correlations.failNext(new Error('throttled'));
    const result = await processBatch(
      [
        record('login', login('f1', 'login.failed', 'w@example.com', EVENT_TIME)),
        record('key', keyEvent('e1', 'alice')),
      ],
      fakes.deps,
    );
    expect(failedIds(result)).toEqual(['login']);
    expect(fakes.publisher.published).toHaveLength(1);
  });

  it('retries every record when something fails that is not a record’s fault', async () => {
    const fakes = fakeDependencies();
    const deps = {
      ...fakes.deps,
      telemetry: {
        ...fakes.deps.telemetry,
        // A fault that cannot be provoked through the ports: the batch code itself throwing.
        count: (metric: string) => {
          if (metric === 'EventsMatched') throw new Error('bug');
        },
      },
    };
    const result = await processBatch([record('a', keyEvent('e1', 'alice')), record('b', '{')], deps);
    expect(failedIds(result)).toEqual(['a', 'b']);
    expect(fakes.deadLetters.letters).toEqual([]);
  });
});
