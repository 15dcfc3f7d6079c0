import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { maxSeverity, parseSeverity } from '../../detection/engine/severity.ts';
import { maskSecrets } from '../../shared/mask-secrets.ts';
import { MAX_CLAIM_ATTEMPTS, REPLAY_HORIZON_SECONDS } from './constants.ts';
import { alertIdFor, eventFingerprint, pendingRegisterKey, windowKey, type DedupItem } from './dedup-item.ts';
import type {
  ClaimInput,
  ClaimResult,
  DedupStore,
  TakenOverWindow,
  WindowLease,
  WindowSnapshot,
} from './dedup-store.ts';
import { decideClaim, decideTakeOver, type ClaimDecision, type ClaimRequest } from './decide.ts';
import { DedupContentionError } from './errors.ts';
import { expiryAfterWrite, placeInWindow, systemClock } from './window.ts';

/** Options of {@link DynamoDedupStore}. */
export interface DynamoDedupStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Current time in Unix seconds; injectable for tests. */
  readonly clock?: () => number;
}

const CONFLICT = Symbol('conflict');

// Every attribute through a placeholder: `status` is a DynamoDB reserved word, and uniformity
// keeps the expressions readable.
const NAMES: Readonly<Record<string, string>> = {
  '#alertId': 'alertId',
  '#status': 'status',
  '#severity': 'severity',
  '#escalations': 'escalations',
  '#expiresAt': 'expiresAt',
  '#leaseUntil': 'leaseUntil',
  '#leaseOwner': 'leaseOwner',
  '#eventCount': 'eventCount',
  '#eventIds': 'eventIds',
  '#distinctValues': 'distinctValues',
  '#alert': 'alert',
  '#pendingWindows': 'pendingWindows',
};

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const packAlert = (json: string): AttributeValue => ({ B: gzipSync(json) });

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function readItem(raw: Record<string, AttributeValue> | undefined): DedupItem | undefined {
  if (!raw) return undefined;
  const s = (key: string) => raw[key]?.S ?? '';
  const n = (key: string) => Number(raw[key]?.N ?? '0');
  const status = s('status');
  if (status !== 'counting' && status !== 'pending' && status !== 'sent') return undefined;
  const alert = raw.alert?.B;
  return {
    alertId: s('alertId'),
    firstAlertId: s('firstAlertId'),
    windowStart: n('windowStart'),
    windowEndsAt: n('windowEndsAt'),
    expiresAt: n('expiresAt'),
    status,
    severity: parseSeverity(s('severity')) ?? 'INFO',
    leaseUntil: n('leaseUntil'),
    leaseOwner: s('leaseOwner'),
    eventCount: n('eventCount'),
    eventIds: raw.eventIds?.SS ?? [],
    distinctValues: raw.distinctValues?.SS ?? [],
    alert: alert === undefined ? undefined : gunzipSync(alert).toString(),
  };
}

type Update = {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeValues: Record<string, AttributeValue>;
};

/**
 * {@link DedupStore} on a DynamoDB table with partition key `pk` (string) and TTL on `expiresAt`.
 * One item per dedup key and event-time window (`<key>#<window start>`), and one register of
 * pending windows per dedup key (`<key>#pending`). Every state change of a window is one
 * conditional write; a failed condition means the item changed, so it is read again
 * (consistently) and the protocol step decided again. Items past their TTL are overwritten by
 * condition, never trusted (TTL deletion lags), except pending ones, which are published first.
 *
 * @example
 * ```ts
 * const store = new DynamoDedupStore({ client: new DynamoDBClient({}), tableName: 'dedup' });
 * ```
 */
export class DynamoDedupStore implements DedupStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #clock: () => number;

  public constructor(options: DynamoDedupStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  public async claim(input: ClaimInput): Promise<ClaimResult> {
    const now = this.#clock();
    const request: ClaimRequest = {
      fingerprint: eventFingerprint(input.eventId),
      now,
      threshold: input.threshold,
      severity: input.severity,
      owner: randomUUID(),
      ...(input.distinctValue === undefined ? {} : { distinct: eventFingerprint(input.distinctValue) }),
    };
    const { windowStart, windowEndsAt } = placeInWindow(input.eventTime, now, input.windowSeconds);
    const pk = windowKey(input.dedupKey, windowStart);
    const context: ClaimContext = { input, request, pk, windowStart, windowEndsAt };
    // Optimistic first step: most claims either open a window or find one, and a failed
    // conditional put costs no more than the read it saves.
    let item: DedupItem | undefined;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const result = await this.#apply(decideClaim(item, request), context);
      if (result !== CONFLICT) return result;
      item = await this.#read(pk);
    }
    throw new DedupContentionError(`dedup window ${pk} changed under ${MAX_CLAIM_ATTEMPTS} consecutive writes`);
  }

  public async trackPending(lease: WindowLease): Promise<number[]> {
    const result = await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { pk: S(pendingRegisterKey(lease.dedupKey)) },
        UpdateExpression: 'ADD #pendingWindows :w SET #expiresAt = :exp',
        ExpressionAttributeNames: { '#pendingWindows': 'pendingWindows', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: {
          ':w': { NS: [String(lease.windowStart)] },
          ':exp': N(this.#clock() + REPLAY_HORIZON_SECONDS),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return (result.Attributes?.pendingWindows?.NS ?? [])
      .map(Number)
      .filter((start) => start !== lease.windowStart)
      .sort((a, b) => a - b);
  }

  public async takeOver(
    dedupKey: string,
    windowStart: number,
    leaseUntil: number,
  ): Promise<TakenOverWindow | undefined> {
    const pk = windowKey(dedupKey, windowStart);
    const owner = randomUUID();
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const now = this.#clock();
      const decision = decideTakeOver(await this.#read(pk), now);
      if (decision.kind === 'busy') return undefined;
      if (decision.kind === 'gone') {
        await this.#forget(dedupKey, windowStart);
        return undefined;
      }
      const { item } = decision;
      const ok = await this.#update(pk, {
        UpdateExpression: 'SET #leaseUntil = :lease, #leaseOwner = :owner, #expiresAt = :exp',
        ConditionExpression: '#alertId = :aid AND #status = :pending AND #leaseUntil <= :now',
        ExpressionAttributeValues: {
          ':lease': N(leaseUntil),
          ':owner': S(owner),
          ':exp': N(expiryAfterWrite(item.windowEndsAt, now, item.expiresAt)),
          ':aid': S(item.alertId),
          ':pending': S('pending'),
          ':now': N(now),
        },
      });
      // A pending item always carries its alert; one without (written by hand) cannot be published as it was.
      if (ok)
        return item.alert === undefined
          ? undefined
          : { lease: { dedupKey, windowStart, alertId: item.alertId, owner, leaseUntil }, alert: item.alert };
    }
    throw new DedupContentionError(`dedup window ${pk} changed under ${MAX_CLAIM_ATTEMPTS} consecutive writes`);
  }

  public async markSent(lease: WindowLease): Promise<boolean> {
    const sent = await this.#update(windowKey(lease.dedupKey, lease.windowStart), {
      UpdateExpression: 'SET #status = :sent REMOVE #leaseUntil, #leaseOwner, #alert',
      ConditionExpression: '#alertId = :aid AND #status = :pending AND #leaseOwner = :owner',
      ExpressionAttributeValues: {
        ':sent': S('sent'),
        ':pending': S('pending'),
        ':aid': S(lease.alertId),
        ':owner': S(lease.owner),
      },
    });
    // The register entry is only a pointer: a stale one is removed by the next claim that finds the window sent.
    if (sent) await this.#forget(lease.dedupKey, lease.windowStart).catch(() => undefined);
    return sent;
  }

  public async release(lease: WindowLease): Promise<void> {
    await this.#update(windowKey(lease.dedupKey, lease.windowStart), {
      UpdateExpression: 'SET #leaseUntil = :zero',
      ConditionExpression: '#alertId = :aid AND #status = :pending AND #leaseOwner = :owner',
      ExpressionAttributeValues: {
        ':zero': N(0),
        ':pending': S('pending'),
        ':aid': S(lease.alertId),
        ':owner': S(lease.owner),
      },
    });
  }

  async #apply(decision: ClaimDecision, context: ClaimContext): Promise<ClaimResult | typeof CONFLICT> {
    const { input, request, pk, windowStart, windowEndsAt } = context;
    const { now, owner, fingerprint } = request;
    const leaseFor = (alertId: string): WindowLease => ({
      dedupKey: input.dedupKey,
      windowStart,
      alertId,
      owner,
      leaseUntil: input.leaseUntil,
    });
    const ids = { SS: [fingerprint] };
    switch (decision.kind) {
      case 'open': {
        const alertId = alertIdFor(input.dedupKey, windowStart);
        const publishes = input.threshold <= 1;
        const snapshot: WindowSnapshot = {
          alertId,
          firstAlertId: alertId,
          windowStart,
          windowEndsAt,
          eventCount: 1,
          severity: input.severity,
          escalatedFrom: undefined,
        };
        const alert = publishes ? input.render(snapshot) : undefined;
        const opened = await this.#put(
          {
            pk: S(pk),
            alertId: S(alertId),
            firstAlertId: S(alertId),
            ruleId: S(input.ruleId),
            windowStart: N(windowStart),
            windowEndsAt: N(windowEndsAt),
            expiresAt: N(expiryAfterWrite(windowEndsAt, now)),
            status: S(publishes ? 'pending' : 'counting'),
            severity: S(input.severity),
            escalations: N(0),
            leaseUntil: N(publishes ? input.leaseUntil : 0),
            leaseOwner: S(owner),
            // For people reading the table: masked before it is cut, so a key on the cut is masked whole.
            firstEventId: S(maskSecrets(input.eventId).slice(0, 256)),
            eventCount: N(1),
            eventIds: ids,
            ...(request.distinct === undefined ? {} : { distinctValues: { SS: [request.distinct] } }),
            ...(alert === undefined ? {} : { alert: packAlert(alert) }),
          },
          now,
        );
        if (!opened) return CONFLICT;
        return alert === undefined
          ? { kind: 'below-threshold', eventCount: 1, duplicate: false }
          : { kind: 'publish', lease: leaseFor(alertId), alert, takeover: false, again: false };
      }
      case 'duplicate':
        return decision.item.status === 'counting'
          ? { kind: 'below-threshold', eventCount: decision.item.eventCount, duplicate: true }
          : { kind: 'suppressed', alertId: decision.item.alertId, duplicate: true };
      case 'busy':
        return { kind: 'busy', alertId: decision.item.alertId, retryAfterSeconds: decision.retryAfterSeconds };
      case 'resume': {
        const { item } = decision;
        return {
          kind: 'publish',
          lease: leaseFor(item.alertId),
          alert: item.alert ?? input.render(snapshotOf(item)),
          takeover: false,
          again: false,
        };
      }
      case 'suppress': {
        const { item, track } = decision;
        const ok = await this.#update(pk, {
          UpdateExpression: `SET #expiresAt = :exp ADD #eventCount :one${track ? ', #eventIds :ids' : ''}`,
          ConditionExpression: `#alertId = :aid AND #status = :sent${track ? ' AND NOT contains(#eventIds, :fp)' : ''}`,
          ExpressionAttributeValues: {
            ':exp': N(expiryAfterWrite(item.windowEndsAt, now, item.expiresAt)),
            ':one': N(1),
            ':aid': S(item.alertId),
            ':sent': S('sent'),
            ...(track ? { ':ids': ids, ':fp': S(fingerprint) } : {}),
          },
        });
        return ok ? { kind: 'suppressed', alertId: item.alertId, duplicate: false } : CONFLICT;
      }
      case 'escalate': {
        const { item, track } = decision;
        const alertId = alertIdFor(input.dedupKey, windowStart, input.severity);
        const alert = input.render({
          alertId,
          firstAlertId: item.firstAlertId,
          windowStart,
          windowEndsAt: item.windowEndsAt,
          eventCount: item.eventCount + 1,
          severity: input.severity,
          escalatedFrom: item.severity,
        });
        const ok = await this.#update(pk, {
          UpdateExpression: `SET #status = :pending, #alertId = :new, #severity = :severity, #leaseUntil = :lease, #leaseOwner = :owner, #alert = :alert, #expiresAt = :exp ADD #eventCount :one, #escalations :one${track ? ', #eventIds :ids' : ''}`,
          ConditionExpression: `#alertId = :aid AND #status = :sent${track ? ' AND NOT contains(#eventIds, :fp)' : ''}`,
          ExpressionAttributeValues: {
            ':pending': S('pending'),
            ':new': S(alertId),
            ':severity': S(input.severity),
            ':lease': N(input.leaseUntil),
            ':owner': S(owner),
            ':alert': packAlert(alert),
            ':exp': N(expiryAfterWrite(item.windowEndsAt, now, item.expiresAt)),
            ':one': N(1),
            ':aid': S(item.alertId),
            ':sent': S('sent'),
            ...(track ? { ':ids': ids, ':fp': S(fingerprint) } : {}),
          },
        });
        return ok ? { kind: 'publish', lease: leaseFor(alertId), alert, takeover: false, again: false } : CONFLICT;
      }
      case 'take-over': {
        const { item, count, track, again } = decision;
        const add = [count ? '#eventCount :one' : '', track ? '#eventIds :ids' : ''].filter(Boolean);
        const ok = await this.#update(pk, {
          UpdateExpression: `SET #leaseUntil = :lease, #leaseOwner = :owner, #expiresAt = :exp${add.length > 0 ? ` ADD ${add.join(', ')}` : ''}`,
          ConditionExpression: '#alertId = :aid AND #status = :pending AND #leaseUntil <= :now',
          ExpressionAttributeValues: {
            ':lease': N(input.leaseUntil),
            ':owner': S(owner),
            ':exp': N(expiryAfterWrite(item.windowEndsAt, now, item.expiresAt)),
            ':aid': S(item.alertId),
            ':pending': S('pending'),
            ':now': N(now),
            ...(count ? { ':one': N(1) } : {}),
            ...(track ? { ':ids': ids } : {}),
          },
        });
        if (!ok) return CONFLICT;
        const alert = item.alert ?? input.render(snapshotOf(item));
        return { kind: 'publish', lease: leaseFor(item.alertId), alert, takeover: true, again };
      }
      case 'count': {
        const { item, reachesThreshold, track, newValue } = decision;
        const add = [track ? '#eventIds :ids' : '', newValue ? '#distinctValues :dv' : ''].filter(Boolean);
        const next = item.eventCount + 1;
        const severity = maxSeverity(item.severity, input.severity);
        const alert = reachesThreshold
          ? input.render({
              alertId: item.alertId,
              firstAlertId: item.firstAlertId,
              windowStart,
              windowEndsAt: item.windowEndsAt,
              eventCount: next,
              severity,
              escalatedFrom: undefined,
            })
          : undefined;
        const ok = await this.#update(pk, {
          UpdateExpression: `SET #eventCount = :next, #severity = :severity, #expiresAt = :exp${alert === undefined ? '' : ', #status = :pending, #leaseUntil = :lease, #leaseOwner = :owner, #alert = :alert'}${add.length > 0 ? ` ADD ${add.join(', ')}` : ''}`,
          ConditionExpression: '#alertId = :aid AND #status = :counting AND #eventCount = :observed',
          ExpressionAttributeValues: {
            ':next': N(next),
            ':severity': S(severity),
            ':exp': N(expiryAfterWrite(item.windowEndsAt, now, item.expiresAt)),
            ':aid': S(item.alertId),
            ':counting': S('counting'),
            ':observed': N(item.eventCount),
            ...(alert === undefined
              ? {}
              : {
                  ':pending': S('pending'),
                  ':lease': N(input.leaseUntil),
                  ':owner': S(owner),
                  ':alert': packAlert(alert),
                }),
            ...(track ? { ':ids': ids } : {}),
            ...(newValue && request.distinct !== undefined ? { ':dv': { SS: [request.distinct] } } : {}),
          },
        });
        if (!ok) return CONFLICT;
        return alert === undefined
          ? { kind: 'below-threshold', eventCount: next, duplicate: false }
          : { kind: 'publish', lease: leaseFor(item.alertId), alert, takeover: false, again: false };
      }
    }
  }

  async #forget(dedupKey: string, windowStart: number): Promise<void> {
    await this.#update(pendingRegisterKey(dedupKey), {
      UpdateExpression: 'DELETE #pendingWindows :w',
      ExpressionAttributeValues: { ':w': { NS: [String(windowStart)] } },
    });
  }

  async #put(item: Record<string, AttributeValue>, now: number): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk) OR (#expiresAt <= :now AND #status <> :pending)',
          ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt', '#status': 'status' },
          ExpressionAttributeValues: { ':now': N(now), ':pending': S('pending') },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async #update(pk: string, update: Update): Promise<boolean> {
    const text = [update.UpdateExpression, update.ConditionExpression].join();
    const names = Object.fromEntries(
      Object.entries(NAMES).filter(([placeholder]) => new RegExp(`${placeholder}\\b`).test(text)),
    );
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { pk: S(pk) },
          ExpressionAttributeNames: names,
          ...update,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async #read(pk: string): Promise<DedupItem | undefined> {
    const result = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { pk: S(pk) }, ConsistentRead: true }),
    );
    return readItem(result.Item);
  }
}

interface ClaimContext {
  readonly input: ClaimInput;
  readonly request: ClaimRequest;
  readonly pk: string;
  readonly windowStart: number;
  readonly windowEndsAt: number;
}

/** The snapshot of a stored window's current alert (for an item that lost its stored alert). */
function snapshotOf(item: DedupItem): WindowSnapshot {
  return {
    alertId: item.alertId,
    firstAlertId: item.firstAlertId,
    windowStart: item.windowStart,
    windowEndsAt: item.windowEndsAt,
    eventCount: item.eventCount,
    severity: item.severity,
    escalatedFrom: undefined,
  };
}
