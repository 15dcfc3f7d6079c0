// Fault injection in the AWS SDK v3 middleware stack, for failures the emulators cannot produce on
// demand: throttling, 5xx, timeouts, connection resets, and responses lost after the service applied
// the request. Test and reliability tooling only.

import type { MiddlewareStack } from '@smithy/types';

// Any SDK v3 client: only its middleware stack is touched.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- input/output types differ per client
type Stack = MiddlewareStack<any, any>;
type Decide = (command: string, input: Record<string, unknown>) => Error | undefined;

/** An error shaped like the SDK's service exceptions (name, fault, HTTP status). */
export function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`injected ${name}`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** A connection reset, as Node's HTTP client reports it. */
export function connectionReset(): Error {
  return Object.assign(new Error('injected socket hang up'), { name: 'Error', code: 'ECONNRESET' });
}

/**
 * Makes `client` throw the error `decide` returns, before the request is sent and before the SDK's
 * retries (the SDK does not retry it).
 *
 * @example
 * ```ts
 * injectFaults(new SNSClient({}), (command) => (command === 'PublishCommand' ? awsError('InternalErrorException', 500) : undefined));
 * ```
 */
export function injectFaults<C extends { middlewareStack: Stack }>(client: C, decide: Decide): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const error = decide(String(context.commandName), args.input as Record<string, unknown>);
      if (error) throw error;
      return next(args);
    },
    { step: 'initialize', name: 'testFaultInjection' },
  );
  return client;
}

/** Fault rates per request attempt (0 to 1). */
export interface FaultRates {
  readonly throttle?: number;
  readonly serverError?: number;
  readonly timeout?: number;
  readonly connectionReset?: number;
  /** The request reaches the service and is applied, but the response is lost (a timeout). */
  readonly responseLost?: number;
}

/** What the injected faults did, by kind. */
export type FaultCounts = Record<keyof FaultRates, number>;

/**
 * Injects faults at random, at the given rates, inside the SDK's retry loop: the SDK retries them as
 * it would real ones, and those that outlast its attempts reach our code. `random` is injectable so
 * runs are reproducible.
 *
 * @example
 * ```ts
 * const counts = injectRandomFaults(dynamodb, { throttle: 0.05, responseLost: 0.02 }, seededRandom(1));
 * ```
 */
export function injectRandomFaults<C extends { middlewareStack: Stack }>(
  client: C,
  rates: FaultRates,
  random: () => number,
): FaultCounts {
  const counts: FaultCounts = { throttle: 0, serverError: 0, timeout: 0, connectionReset: 0, responseLost: 0 };
  const before: Array<[keyof FaultRates, () => Error]> = [
    ['throttle', () => awsError('ThrottlingException', 400)],
    ['serverError', () => awsError('InternalServerError', 500)],
    ['timeout', () => awsError('TimeoutError', 408)],
    ['connectionReset', connectionReset],
  ];
  client.middlewareStack.add(
    (next) => async (args) => {
      for (const [kind, make] of before) {
        if (random() < (rates[kind] ?? 0)) {
          counts[kind]++;
          throw make();
        }
      }
      const result = await next(args);
      if (random() < (rates.responseLost ?? 0)) {
        counts.responseLost++;
        throw awsError('TimeoutError', 408);
      }
      return result;
    },
    { step: 'finalizeRequest', name: 'randomFaultInjection', priority: 'low' },
  );
  return counts;
}

/**
 * A small seeded generator (mulberry32), so a failing reliability run can be replayed.
 *
 * @example
 * ```ts
 * const random = seededRandom(42); random(); // 0.6011...
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
