import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { maxSeverity, parseSeverity, type Severity } from '../../detection/engine/severity.ts';
import { maskSecrets } from '../../shared/mask-secrets.ts';
import { MAX_CLAIM_ATTEMPTS, REMEMBERED_SENT_WINDOWS, REPLAY_HORIZON_SECONDS } from './constants.ts';
import { alertIdFor, pendingRegisterKey, shortFingerprint, windowKey, type DedupItem } from './dedup-item.ts';
import type {
  ClaimedOutcome,
  DedupStore,
  SentAlert,
  TakenOverWindow,
  WindowClaim,
  WindowClaimResult,
  WindowLease,
  WindowSnapshot,
} from './dedup-store.ts';
import {
  decideTakeOver,
  isReusable,
  notRemembered,
  planWindow,
  type MatchOutcome,
  type PlannedMatch,
  type WindowPlan,
} from './decide.ts';
import { DedupContentionError } from './errors.ts';
import { expiryAfterWrite, systemClock } from './window.ts';

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
  '#distinctValues': 'distinctValues',
  '#seen': 'seen',
  '#values': 'values',
  '#severities': 'severities',
  '#ruleId': 'ruleId',
  '#windowStart': 'windowStart',
  '#windowEndsAt': 'windowEndsAt',
  '#firstAlertId': 'firstAlertId',
  '#firstEventId': 'firstEventId',
  '#alert': 'alert',
  '#pendingWindows': 'pendingWindows',
};

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const packAlert = (json: string): AttributeValue => ({ B: gzipSync(json) });

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

const hexOf = (values: readonly Uint8Array[] | undefined): string[] =>
  (values ?? []).map((value) => Buffer.from(value).toString('hex'));
const binarySet = (hex: readonly string[]): AttributeValue => ({ BS: hex.map((h) => Buffer.from(h, 'hex')) });

/**
 * The item as the protocol reads it. While counting, what the window counted is the union of its
 * fingerprint sets, and its severity the highest it counted; an item written before fingerprints
 * became 8 bytes (`eventIds`, `distinctValues`: 16-byte hex strings) reads the same, as the new
 * fingerprint is the old one's first half.
 */
function readItem(raw: Record<string, AttributeValue> | undefined): DedupItem | undefined {
  if (!raw) return undefined;
  const s = (key: string) => raw[key]?.S ?? '';
  const n = (key: string) => Number(raw[key]?.N ?? '0');
  const status = s('status');
  if (status !== 'counting' && status !== 'pending' && status !== 'sent') return undefined;
  const alert = raw.alert?.B;
  const legacy = (key: string) => (raw[key]?.SS ?? []).map((fingerprint) => fingerprint.slice(0, 16));
  const storedSeen = hexOf(raw.seen?.BS);
  const seen = [...new Set([...legacy('eventIds'), ...storedSeen])];
  const values = [...new Set([...legacy('distinctValues'), ...hexOf(raw.values?.BS)])];
  const severities = [s('severity'), ...(raw.severities?.SS ?? [])]
    .map(parseSeverity)
    .filter((severity): severity is Severity => severity !== undefined);
  const counting = status === 'counting';
  return {
    alertId: s('alertId'),
    firstAlertId: s('firstAlertId'),
    windowStart: n('windowStart'),
    windowEndsAt: n('windowEndsAt'),
    expiresAt: n('expiresAt'),
    status,
    severity: severities.reduce<Severity>(maxSeverity, severities[0] ?? 'INFO'),
    leaseUntil: n('leaseUntil'),
    leaseOwner: s('leaseOwner'),
    // While counting events (not distinct values), the count is what the window remembers.
    eventCount: counting ? Math.max(seen.length, n('eventCount')) : n('eventCount'),
    seen,
    storedSeen,
    values: counting ? values : [],
    alert: alert === undefined ? undefined : gunzipSync(alert).toString(),
  };
}

/** The fingerprints but those of the batch's matches at `rest`. */
function withoutRest(seen: readonly string[], context: WindowContext, rest: readonly number[]): string[] {
  const own = new Set(rest.map((index) => context.matches[index]?.fingerprint));
  return seen.filter((fingerprint) => !own.has(fingerprint));
}

/** The entries of both, each once. */
function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** The first `limit` distinct entries, in order. */
function firstDistinct(entries: readonly string[], limit: number): string[] {
  return [...new Set(entries)].slice(0, limit);
}

/** The attribute names an expression uses, from {@link NAMES}. */
function namesFor(update: Update): Record<string, string> {
  const text = [update.UpdateExpression, update.ConditionExpression].join();
  return Object.fromEntries(
    Object.entries(NAMES).filter(([placeholder]) => new RegExp(`${placeholder}\\b`).test(text)),
  );
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
  /** Windows last seen sent: their next batch is counted by the write for sent windows first. */
  readonly #sent = new Set<string>();

  public constructor(options: DynamoDedupStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  public async claimWindow(input: WindowClaim, after?: SentAlert): Promise<WindowClaimResult> {
    const pk = windowKey(input.dedupKey, input.windowStart);
    const matches: PlannedMatch[] = input.matches.map((match) => ({
      fingerprint: shortFingerprint(match.eventId),
      severity: match.severity,
      ...(match.distinctValue === undefined ? {} : { distinct: shortFingerprint(match.distinctValue) }),
    }));
    const context: WindowContext = { input, pk, matches, owner: randomUUID() };
    let found: Found =
      after === undefined
        ? await this.#count(context)
        : { item: sentItem(after, input), counted: true, includesBatch: true, countedBy: 'whole' };
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const plan = planWindow(found.item, {
        matches,
        threshold: input.threshold,
        distinct: input.distinct,
        now: this.#clock(),
        owner: context.owner,
        includesBatch: found.includesBatch,
      });
      const result = await this.#apply(plan, context, found);
      if (result !== CONFLICT) return result;
      found = await this.#afterConflict(found, await this.#read(pk), context);
    }
    throw new DedupContentionError(`dedup window ${pk} changed under ${MAX_CLAIM_ATTEMPTS} consecutive writes`);
  }

  /**
   * What a claim knows after one of its writes lost to another claim: the window as read again, the
   * batch counted as before (or counted now, if it was not and the window is not pending). A batch
   * counted while the window was counting, in a window another claim has since sent, still has to
   * count what the window did not store of it (see `notRemembered`): it does so in the sent window,
   * once, before it plans again, and is then counted whole.
   */
  async #afterConflict(found: Found, read: DedupItem | undefined, context: WindowContext): Promise<Found> {
    if (!found.counted && read?.status !== 'pending') return this.#count(context);
    let item = read;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      if (found.countedBy !== 'counting' || context.input.distinct || item?.status !== 'sent')
        return { item, counted: found.counted, includesBatch: found.counted, countedBy: found.countedBy };
      const uncounted = notRemembered(context.matches, item.seen);
      if (uncounted === 0 || (await this.#addToAlert(context, 'sent', item.alertId, uncounted, this.#clock())))
        return {
          item: { ...item, eventCount: item.eventCount + uncounted },
          counted: true,
          includesBatch: true,
          countedBy: 'whole',
        };
      item = await this.#read(context.pk);
    }
    throw new DedupContentionError(`dedup window ${context.pk} changed under ${MAX_CLAIM_ATTEMPTS} consecutive writes`);
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
    this.#remember(windowKey(lease.dedupKey, lease.windowStart), sent);
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

  /**
   * The batch's one counting write, returning the window as it was before it: while the window
   * counts, its fingerprints; once its alert is out, the count alone (no condition that fails, no
   * read). Which write is tried first follows what this function last saw of the window; a window
   * that is pending, or past its TTL, is read instead.
   */
  async #count(context: WindowContext): Promise<Found> {
    const { pk } = context;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const now = this.#clock();
      const order = this.#sent.has(pk) ? (['sent', 'counting'] as const) : (['counting', 'sent'] as const);
      for (const mode of order) {
        const old = mode === 'sent' ? await this.#countSent(context, now) : await this.#countCounting(context, now);
        if (old === CONFLICT) continue;
        this.#remember(pk, old?.status === 'sent');
        return { item: old, counted: true, includesBatch: false, countedBy: mode === 'sent' ? 'whole' : 'counting' };
      }
      const item = await this.#read(pk);
      if (item?.status === 'pending') return { item, counted: false, includesBatch: false };
      if (item !== undefined && isReusable(item, now) && (await this.#reopen(context, now)))
        return { item: undefined, counted: true, includesBatch: false, countedBy: 'counting' };
    }
    throw new DedupContentionError(`dedup window ${pk} changed under ${MAX_CLAIM_ATTEMPTS} consecutive writes`);
  }

  async #countCounting(context: WindowContext, now: number): Promise<DedupItem | undefined | typeof CONFLICT> {
    const { input, matches } = context;
    const alertId = alertIdFor(input.dedupKey, input.windowStart);
    const seen = storedFingerprints(context);
    const values = storedValues(context);
    const add = [
      '#severities :severities',
      ...(input.distinct ? ['#eventCount :n'] : ['#seen :seen']),
      ...(values.length > 0 ? ['#values :values'] : []),
    ];
    return this.#updateReturningOld(context.pk, {
      UpdateExpression: `SET #ruleId = if_not_exists(#ruleId, :rule), #windowStart = if_not_exists(#windowStart, :start), #windowEndsAt = if_not_exists(#windowEndsAt, :end), #alertId = if_not_exists(#alertId, :aid), #firstAlertId = if_not_exists(#firstAlertId, :aid), #status = if_not_exists(#status, :counting), #escalations = if_not_exists(#escalations, :zero), #firstEventId = if_not_exists(#firstEventId, :first), #expiresAt = :exp ADD ${add.join(', ')}`,
      ConditionExpression: 'attribute_not_exists(#status) OR (#status = :counting AND #expiresAt > :now)',
      ExpressionAttributeValues: {
        ':rule': S(input.ruleId),
        ':start': N(input.windowStart),
        ':end': N(input.windowEndsAt),
        ':aid': S(alertId),
        ':counting': S('counting'),
        ':zero': N(0),
        ':first': firstEventIdOf(context),
        ':exp': N(expiryAfterWrite(input.windowEndsAt, now)),
        ':now': N(now),
        ':severities': severitiesOf(context),
        ...(input.distinct ? { ':n': N(matches.length) } : { ':seen': binarySet(seen) }),
        ...(values.length > 0 ? { ':values': binarySet(values) } : {}),
      },
    });
  }

  async #countSent(context: WindowContext, now: number): Promise<DedupItem | undefined | typeof CONFLICT> {
    return this.#updateReturningOld(context.pk, {
      UpdateExpression: 'SET #expiresAt = :exp ADD #eventCount :n',
      ConditionExpression: '#status = :sent AND #expiresAt > :now',
      ExpressionAttributeValues: {
        ':exp': N(expiryAfterWrite(context.input.windowEndsAt, now)),
        ':n': N(context.matches.length),
        ':sent': S('sent'),
        ':now': N(now),
      },
    });
  }

  /** Replaces a finished window past its TTL (which DynamoDB has not deleted yet) by a new one counting this batch. */
  async #reopen(context: WindowContext, now: number): Promise<boolean> {
    const { input, matches } = context;
    const alertId = alertIdFor(input.dedupKey, input.windowStart);
    const values = storedValues(context);
    return this.#put(
      {
        pk: S(context.pk),
        alertId: S(alertId),
        firstAlertId: S(alertId),
        ruleId: S(input.ruleId),
        windowStart: N(input.windowStart),
        windowEndsAt: N(input.windowEndsAt),
        expiresAt: N(expiryAfterWrite(input.windowEndsAt, now)),
        status: S('counting'),
        escalations: N(0),
        firstEventId: firstEventIdOf(context),
        severities: severitiesOf(context),
        ...(input.distinct ? { eventCount: N(matches.length) } : { seen: binarySet(storedFingerprints(context)) }),
        ...(values.length > 0 ? { values: binarySet(values) } : {}),
      },
      now,
    );
  }

  /** Performs the plan's one write, if it has one, and says what the batch does next. */
  async #apply(plan: WindowPlan, context: WindowContext, found: Found): Promise<WindowClaimResult | typeof CONFLICT> {
    const { input, pk, owner } = context;
    const now = this.#clock();
    const lease = (alertId: string): WindowLease => ({
      dedupKey: input.dedupKey,
      windowStart: input.windowStart,
      alertId,
      owner,
      leaseUntil: input.leaseUntil,
    });
    switch (plan.kind) {
      case 'done':
        if (plan.whilePending === true && found.item !== undefined) {
          const count = uncountedOf(found, context, found.item);
          if (count > 0 && !(await this.#addToAlert(context, 'pending', plan.alertId, count, now))) return CONFLICT;
        }
        return { kind: 'done', outcomes: outcomesOf(plan.outcomes, plan.alertId) };
      case 'busy':
        return { kind: 'busy', alertId: plan.item.alertId, retryAfterSeconds: plan.retryAfterSeconds };
      case 'start': {
        const alertId = alertIdFor(input.dedupKey, input.windowStart);
        const snapshot: WindowSnapshot = {
          alertId,
          firstAlertId: alertId,
          windowStart: input.windowStart,
          windowEndsAt: input.windowEndsAt,
          eventCount: plan.eventCount,
          severity: plan.severity,
          escalatedFrom: undefined,
        };
        const alert = input.render(snapshot, plan.at);
        // Only if the window still holds what this claim counted: a batch counted in between (its
        // move failing) would otherwise be remembered without being in the count.
        const { item } = found;
        const before = item?.storedSeen ?? [];
        const seen = found.includesBatch ? before : union(before, storedFingerprints(context));
        const counted = (item?.eventCount ?? 0) + (found.includesBatch ? 0 : context.matches.length);
        const ok = await this.#update(pk, {
          UpdateExpression:
            'SET #status = :pending, #severity = :severity, #leaseUntil = :lease, #leaseOwner = :owner, #alert = :alert, #eventCount = :count, #expiresAt = :exp REMOVE #values, #severities, #distinctValues',
          ConditionExpression: `#alertId = :aid AND #status = :counting AND ${input.distinct ? '#eventCount = :counted' : '#seen = :seen'}`,
          ExpressionAttributeValues: {
            ...(input.distinct ? { ':counted': N(counted) } : { ':seen': binarySet(seen) }),
            ':pending': S('pending'),
            ':severity': S(plan.severity),
            ':lease': N(input.leaseUntil),
            ':owner': S(owner),
            ':alert': packAlert(alert),
            ':count': N(plan.totalCount),
            ':exp': N(expiryAfterWrite(input.windowEndsAt, now)),
            ':aid': S(alertId),
            ':counting': S('counting'),
          },
        });
        if (!ok) return CONFLICT;
        return {
          kind: 'publish',
          lease: lease(alertId),
          alert,
          takeover: false,
          outcomes: outcomesOf(plan.outcomes, alertId),
          rest: plan.rest,
          sent: {
            alertId,
            firstAlertId: alertId,
            severity: plan.severity,
            eventCount: plan.totalCount,
            // The rest of this batch is counted, but claimed next as new matches, not redeliveries.
            seen: input.distinct ? [] : withoutRest(seen, context, plan.rest),
          },
        };
      }
      case 'escalate': {
        const { item } = plan;
        const severity = context.matches[plan.at]?.severity ?? item.severity;
        const alertId = alertIdFor(input.dedupKey, input.windowStart, severity);
        const alert = input.render(
          {
            alertId,
            firstAlertId: item.firstAlertId,
            windowStart: input.windowStart,
            windowEndsAt: input.windowEndsAt,
            eventCount: plan.eventCount,
            severity,
            escalatedFrom: item.severity,
          },
          plan.at,
        );
        const ok = await this.#update(pk, {
          UpdateExpression:
            'SET #status = :pending, #alertId = :new, #severity = :severity, #leaseUntil = :lease, #leaseOwner = :owner, #alert = :alert, #expiresAt = :exp ADD #escalations :one',
          ConditionExpression: '#alertId = :aid AND #status = :sent',
          ExpressionAttributeValues: {
            ':pending': S('pending'),
            ':new': S(alertId),
            ':severity': S(severity),
            ':lease': N(input.leaseUntil),
            ':owner': S(owner),
            ':alert': packAlert(alert),
            ':exp': N(expiryAfterWrite(input.windowEndsAt, now)),
            ':one': N(1),
            ':aid': S(item.alertId),
            ':sent': S('sent'),
          },
        });
        if (!ok) return CONFLICT;
        this.#remember(pk, false);
        return {
          kind: 'publish',
          lease: lease(alertId),
          alert,
          takeover: false,
          outcomes: outcomesOf(plan.outcomes, item.alertId),
          rest: plan.rest,
          sent: { alertId, firstAlertId: item.firstAlertId, severity, eventCount: plan.eventCount, seen: item.seen },
        };
      }
      case 'take-over': {
        const { item } = plan;
        // A batch already counted adds what the window did not store of it (see notRemembered).
        const uncounted = uncountedOf(found, context, item);
        const ok = await this.#update(pk, {
          UpdateExpression: `SET #leaseUntil = :lease, #leaseOwner = :owner, #expiresAt = :exp${uncounted > 0 ? ' ADD #eventCount :n' : ''}`,
          ConditionExpression: '#alertId = :aid AND #status = :pending AND #leaseUntil <= :now',
          ExpressionAttributeValues: {
            ':lease': N(input.leaseUntil),
            ':owner': S(owner),
            ':exp': N(expiryAfterWrite(item.windowEndsAt, now, item.expiresAt)),
            ':aid': S(item.alertId),
            ':pending': S('pending'),
            ':now': N(now),
            ...(uncounted > 0 ? { ':n': N(uncounted) } : {}),
          },
        });
        if (!ok) return CONFLICT;
        const eventCount = item.eventCount + uncounted;
        return this.#publishStored(item, lease(item.alertId), true, plan.rest, eventCount);
      }
      case 'resume':
        return this.#publishStored(plan.item, lease(plan.item.alertId), false, plan.rest, plan.item.eventCount);
    }
  }

  /**
   * Adds `count` to the count of a window that has an alert, while that alert is `alertId` and the
   * window is still `status`: being published by another invocation (`pending`), or out (`sent`).
   */
  async #addToAlert(
    context: WindowContext,
    status: 'pending' | 'sent',
    alertId: string,
    count: number,
    now: number,
  ): Promise<boolean> {
    return this.#update(context.pk, {
      UpdateExpression: 'SET #expiresAt = :exp ADD #eventCount :n',
      ConditionExpression: `#alertId = :aid AND #status = :${status}`,
      ExpressionAttributeValues: {
        ':exp': N(expiryAfterWrite(context.input.windowEndsAt, now)),
        ':n': N(count),
        ':aid': S(alertId),
        [`:${status}`]: S(status),
      },
    });
  }

  /**
   * Publishing a pending window's stored alert: every match of the batch is left to claim after it,
   * from the window's count with the batch (`eventCount`).
   */
  #publishStored(
    item: DedupItem,
    lease: WindowLease,
    takeover: boolean,
    rest: readonly number[],
    eventCount: number,
  ): WindowClaimResult {
    const snapshot = snapshotOf(item);
    return {
      kind: 'publish',
      lease,
      // A pending item always carries its alert; one without (written by hand) is published from the batch.
      alert: item.alert ?? JSON.stringify(snapshot),
      takeover,
      outcomes: new Map(),
      rest,
      sent: {
        alertId: item.alertId,
        firstAlertId: item.firstAlertId,
        severity: item.severity,
        eventCount,
        seen: item.seen,
      },
    };
  }

  #remember(pk: string, sent: boolean): void {
    this.#sent.delete(pk);
    if (!sent) return;
    this.#sent.add(pk);
    // Oldest first: a Set iterates in insertion order.
    if (this.#sent.size > REMEMBERED_SENT_WINDOWS) this.#sent.delete(this.#sent.values().next().value as string);
  }

  async #updateReturningOld(pk: string, update: Update): Promise<DedupItem | undefined | typeof CONFLICT> {
    try {
      const result = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { pk: S(pk) },
          ExpressionAttributeNames: namesFor(update),
          ReturnValues: 'ALL_OLD',
          ...update,
        }),
      );
      return readItem(result.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return CONFLICT;
      throw error;
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
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { pk: S(pk) },
          ExpressionAttributeNames: namesFor(update),
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

/**
 * What a counting write stores of the batch's events: the first `threshold` distinct fingerprints,
 * enough to find the match that reaches the threshold.
 */
function storedFingerprints(context: WindowContext): string[] {
  return firstDistinct(
    context.matches.map((match) => match.fingerprint),
    context.input.threshold,
  );
}

/** What a counting write stores of the batch's distinct values, likewise. */
function storedValues(context: WindowContext): string[] {
  return firstDistinct(
    context.matches.flatMap((match) => (match.distinct === undefined ? [] : [match.distinct])),
    context.input.threshold,
  );
}

/** The severities the batch counts, for the window's highest. */
function severitiesOf(context: WindowContext): AttributeValue {
  return { SS: [...new Set(context.input.matches.map((match) => match.severity))] };
}

/** For people reading the table: masked before it is cut, so a key on the cut is masked whole. */
function firstEventIdOf(context: WindowContext): AttributeValue {
  return S(maskSecrets(context.input.matches[0]?.eventId ?? '').slice(0, 256));
}

interface WindowContext {
  readonly input: WindowClaim;
  readonly pk: string;
  readonly matches: readonly PlannedMatch[];
  readonly owner: string;
}

/**
 * The window before this batch's counting write, or as read. `counted`: the batch's matches are in
 * the window; `includesBatch`: and in this item's count. `countedBy`: which write counted them, the
 * counting write (which stores at most the threshold's number of events: see notRemembered), or
 * one that counted them whole (the write for sent windows, a take-over, the claim of the rest).
 */
interface Found {
  readonly item: DedupItem | undefined;
  readonly counted: boolean;
  readonly includesBatch: boolean;
  readonly countedBy?: 'counting' | 'whole';
}

/** How many of the batch's matches a window (`item`, as read) has not counted yet. */
function uncountedOf(found: Found, context: WindowContext, item: DedupItem): number {
  if (!found.counted) return context.matches.length;
  if (found.countedBy !== 'counting' || context.input.distinct) return 0;
  return notRemembered(context.matches, item.seen);
}

/** The window as a claim of the rest of a batch knows it: its own alert is out. */
function sentItem(after: SentAlert, input: WindowClaim): DedupItem {
  return {
    ...after,
    windowStart: input.windowStart,
    windowEndsAt: input.windowEndsAt,
    expiresAt: Number.POSITIVE_INFINITY,
    status: 'sent',
    leaseUntil: 0,
    leaseOwner: '',
    storedSeen: after.seen,
    values: [],
    alert: undefined,
  };
}

function outcomesOf(outcomes: ReadonlyMap<number, MatchOutcome>, alertId: string): Map<number, ClaimedOutcome> {
  return new Map(
    [...outcomes].map(([index, outcome]) => [
      index,
      outcome.kind === 'suppressed' ? { kind: 'suppressed', alertId } : outcome,
    ]),
  );
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
