import type { FaultRates } from './faults.ts';
import type { ScenarioSpec } from './harness.ts';

/** Faults per SDK request attempt on DynamoDB: the SDK retries them, some outlast its attempts. */
const DYNAMODB_FAULTS: FaultRates = {
  throttle: 0.04,
  serverError: 0.03,
  timeout: 0.02,
  connectionReset: 0.02,
  responseLost: 0.03,
};
/**
 * Faults on SNS, all before the request is sent: a lost publish response is indistinguishable from
 * a death after publishing, which the worker-kill scenario covers.
 */
const SNS_FAULTS: FaultRates = { throttle: 0.04, serverError: 0.03, timeout: 0.02, connectionReset: 0.02 };
const LIGHT_FAULTS = { dynamodb: { throttle: 0.02, responseLost: 0.01 }, sns: { serverError: 0.02 } };

/**
 * The scenarios of `npm run test:reliability`; `scale` shrinks the event counts for the
 * shortened run in `npm test`.
 *
 * @example
 * ```ts
 * for (const spec of scenarios(0.1)) await runScenario(spec, env, seed);
 * ```
 */
export function scenarios(scale = 1): ScenarioSpec[] {
  const n = (events: number) => Math.max(100, Math.round(events * scale));
  const full = scale >= 1;
  return [
    {
      name: 'faults',
      description:
        'throttling, 5xx, timeouts, connection resets and lost responses on DynamoDB and SNS, three consumers',
      events: n(4000),
      perMessage: 25,
      matchingRate: 0.25,
      actors: 40,
      consumers: 3,
      faults: { dynamodb: DYNAMODB_FAULTS, sns: SNS_FAULTS },
    },
    {
      name: 'duplicates-out-of-order',
      description: 'half the messages delivered twice, all in random order, two consumers',
      events: n(3000),
      perMessage: 20,
      matchingRate: 0.05,
      actors: 30,
      consumers: 2,
      duplicateRate: 0.5,
      shuffle: true,
      faults: LIGHT_FAULTS,
    },
    {
      name: 'concurrent-hot-actors',
      description: 'four consumers, many matches for five actors (contended windows)',
      events: n(2000),
      perMessage: 5,
      matchingRate: 0.2,
      actors: 5,
      consumers: 4,
      shuffle: true,
      faults: LIGHT_FAULTS,
    },
    {
      name: 'poison',
      description:
        'poison messages (not JSON, no events, broken envelopes, deep nesting, 200 KB of garbage) among good ones',
      events: n(2000),
      perMessage: 20,
      matchingRate: 0.05,
      actors: 20,
      consumers: 2,
      poison: 8,
      shuffle: true,
    },
    {
      name: 'window-boundary',
      description: 'a second batch one dedup period later in event time; the same actors act in both windows',
      events: n(2000),
      perMessage: 20,
      matchingRate: 0.05,
      actors: 20,
      consumers: 2,
      phases: 2,
      faults: LIGHT_FAULTS,
    },
    {
      name: 'publish-failure',
      description:
        'one match per window, the first publish of every alert fails; a release must let the retry publish at once',
      events: n(1000),
      perMessage: 10,
      matchingRate: 0.05,
      actors: 1000,
      consumers: 2,
      publish: 'fail-first',
      leaseSeconds: 30,
      visibilitySeconds: 3,
    },
    {
      name: 'expiry-while-pending',
      description:
        'windows left pending weeks ago by dead publishers (lease and TTL passed); their events arrive twice, to four consumers',
      events: n(1000),
      perMessage: 5,
      matchingRate: 0.1,
      actors: 10,
      consumers: 4,
      duplicateRate: 1,
      shuffle: true,
      stalePending: true,
    },
    {
      name: 'redrive-after-window',
      description: 'every message delivered again two days later (a DLQ redrive after the window closed)',
      events: n(1000),
      perMessage: 10,
      matchingRate: 0.1,
      actors: 20,
      consumers: 2,
      redrive: true,
    },
    {
      name: 'long-outage',
      description:
        "SNS refuses every publish for longer than the records' receives; the same actors act a period later; the DLQ is redriven",
      events: n(1000),
      perMessage: 10,
      matchingRate: 0.05,
      actors: 10,
      consumers: 2,
      phases: 2,
      publish: 'outage',
      visibilitySeconds: 2,
      redriveDeadLetters: true,
    },
    {
      name: 'escalation',
      description:
        'MEDIUM and HIGH matches for eight actors in random order, three consumers: the highest severity of every window is heard',
      events: n(2000),
      perMessage: 5,
      matchingRate: 0.1,
      actors: 8,
      consumers: 3,
      highEvery: 3,
      shuffle: true,
      faults: LIGHT_FAULTS,
    },
    {
      name: 'event-time-backfill',
      description: 'a day of events in random order: every match lands in the window of its own time',
      events: n(2000),
      perMessage: 20,
      matchingRate: 0.05,
      actors: 10,
      consumers: 2,
      spreadSeconds: 86_400,
      shuffle: true,
    },
    {
      name: 'openai-pack',
      description:
        'failed and successful logins of twelve accounts among other events, each success followed by an admin key created, half delivered twice, shuffled, three consumers: distinct-IP thresholds, the brute-force correlation and the takeover chain it feeds, their state in DynamoDB',
      events: n(3000),
      perMessage: 10,
      matchingRate: 0.02,
      actors: 10,
      consumers: 3,
      loginRate: 0.3,
      loginAccounts: 12,
      adminKeyAfterLogin: true,
      duplicateRate: 0.5,
      shuffle: true,
      faults: LIGHT_FAULTS,
    },
    {
      name: 'first-seen',
      description:
        'every actor learns a home country and network, and eight days later acts from a new one: API keys created from there alert once per actor and window (first-seen baselines, their state in DynamoDB), half delivered twice, shuffled, three consumers',
      events: n(2000),
      perMessage: 10,
      matchingRate: 0.05,
      actors: 10,
      consumers: 3,
      phases: 2,
      phaseSeconds: 8 * 24 * 3600,
      newSourceFromPhase: 1,
      duplicateRate: 0.5,
      shuffle: true,
      faults: LIGHT_FAULTS,
    },
    {
      name: 'worker-kills',
      description:
        'worker processes SIGKILLed before the window write, between write and publish, after publish before marking sent, and by the function timeout; recovery by redelivery',
      events: n(1500),
      perMessage: 10,
      matchingRate: 0.1,
      actors: 15,
      consumers: 0,
      kills: {
        workers: 3,
        points: full
          ? [
              'before-window-write',
              'between-write-and-publish',
              'after-publish-before-mark-sent',
              'function-timeout',
              'before-window-write',
              'between-write-and-publish',
              'after-publish-before-mark-sent',
              'function-timeout',
            ]
          : ['before-window-write', 'between-write-and-publish', 'after-publish-before-mark-sent', 'function-timeout'],
      },
    },
  ];
}
