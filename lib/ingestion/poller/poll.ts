import { ownValue, type JsonObject } from '../../shared/json.ts';
import type { AuditLogClient } from './audit-log-client.ts';
import type { CursorStore, PollCursor } from './cursor-store.ts';
import { AuditLogRequestError } from './errors.ts';
import { boundSeen, judgeSecond, rememberSeconds, type SeenEvents } from './seen-events.ts';

/** How far back and in what steps to list. All in seconds. */
export interface PollOptions {
  /** Re-listed before the cursor on every run, for events that arrive late (default 600, at most 3600). */
  readonly overlapSeconds: number;
  /** Listed on the first run, when there is no cursor (default 24 hours). */
  readonly backfillSeconds: number;
  /** Events are listed, enqueued and the cursor saved one time slice at a time (default 3600). */
  readonly sliceSeconds: number;
  /** Start here instead of at the cursor (CLI `--since`). */
  readonly since?: number;
  /** List tenant-scoped events only (the `tenant` stream, `tenant_only=true`). */
  readonly tenantOnly?: boolean;
}

/** What a run reports as it goes (the CLI prints it on stderr). */
export interface PollProgress {
  readonly sliceStart: number;
  readonly sliceEnd: number;
  readonly listed: number;
  readonly delivered: number;
  readonly pages: number;
}

/** What one run needs. */
export interface PollDependencies {
  readonly client: Pick<AuditLogClient, 'listPage'>;
  readonly cursor: CursorStore;
  /**
   * Enqueues (or prints) events, oldest first; resolves when they are safely handed over, with the
   * number that could not travel (kept in the DLQ or reported by the deliverer).
   */
  readonly deliver: (events: readonly JsonObject[]) => Promise<{ readonly rejected: number }>;
  /** Unix seconds. */
  readonly clock: () => number;
  /** Milliseconds left in this run; the run stops cleanly below `stopMarginMs`. */
  readonly remainingMs: () => number;
  readonly stopMarginMs?: number;
  /** Called after each slice is delivered and the cursor saved. */
  readonly onSlice?: (progress: PollProgress) => void;
}

/** What a run did. */
export interface PollResult {
  /** False when the run stopped for its deadline; the next run resumes at the cursor. */
  readonly complete: boolean;
  readonly listed: number;
  readonly delivered: number;
  /** Listed again within the overlap and already delivered. */
  readonly alreadyDelivered: number;
  /**
   * Delivered again: a second remembered only by its digest (a burst too large to keep every id)
   * gained a late event, so all its events went again. The detection pipeline recognises them.
   */
  readonly redelivered: number;
  /** Listed items without a string id or a numeric effective_at: not audit events, not delivered. */
  readonly invalid: number;
  /** Events that could not be packed (too deep, too large): kept in the DLQ with their reason. */
  readonly rejected: number;
  readonly slices: number;
  readonly highWater: number | undefined;
}

const DEFAULT_STOP_MARGIN_MS = 10_000;

function identity(event: JsonObject): { id: string; at: number } | undefined {
  const id = ownValue(event, 'id');
  const at = ownValue(event, 'effective_at');
  return typeof id === 'string' && id !== '' && typeof at === 'number' && Number.isFinite(at) ? { id, at } : undefined;
}

/**
 * One polling run of OpenAI's audit log: from the saved cursor minus the overlap (or the backfill
 * horizon on the first run) up to now, one time slice at a time. Each slice is listed completely
 * (following `after` until `has_more` is false); per second of `effective_at`, events already
 * delivered are skipped (see {@link judgeSecond}), the rest are delivered oldest first, and only
 * then is the cursor saved, bounded whatever the volume (see {@link boundSeen}). A run that runs
 * short of time stops between requests and leaves the cursor at the last completed slice.
 *
 * @example
 * ```ts
 * const result = await pollAuditLogs({ client, cursor, deliver, clock, remainingMs }, { overlapSeconds: 600, backfillSeconds: 86400, sliceSeconds: 3600 });
 * ```
 */
export async function pollAuditLogs(deps: PollDependencies, options: PollOptions): Promise<PollResult> {
  const margin = deps.stopMarginMs ?? DEFAULT_STOP_MARGIN_MS;
  const saved: PollCursor | undefined = await deps.cursor.load();
  const now = deps.clock();
  let start =
    options.since ?? (saved ? Math.max(0, saved.highWater - options.overlapSeconds) : now - options.backfillSeconds);
  let highWater = saved?.highWater;
  let seen: SeenEvents = saved?.seen ?? {};
  const counts = { listed: 0, delivered: 0, alreadyDelivered: 0, redelivered: 0, invalid: 0, rejected: 0, slices: 0 };
  const result = (complete: boolean): PollResult => ({ complete, ...counts, highWater });

  while (start <= now) {
    const end = Math.min(now, start + options.sliceSeconds - 1);
    // A page can repeat an event when new ones arrive during pagination: keyed by id.
    const listed = new Map<string, { event: JsonObject; at: number }>();
    let after: string | undefined;
    let pages = 0;
    let listedInSlice = 0;
    for (let more = true; more;) {
      if (deps.remainingMs() < margin) return result(false);
      const page = await deps.client.listPage({
        effectiveAtGte: start,
        effectiveAtLte: end,
        after,
        ...(options.tenantOnly === true ? { tenantOnly: true } : {}),
      });
      pages++;
      for (const event of page.data) {
        counts.listed++;
        listedInSlice++;
        const id = identity(event);
        if (id === undefined) counts.invalid++;
        else listed.set(id.id, { event, at: id.at });
      }
      if (page.hasMore && page.lastId === undefined)
        throw new AuditLogRequestError('the audit log API said has_more without a last_id to continue from');
      more = page.hasMore;
      after = page.lastId;
    }
    const bySecond = new Map<number, string[]>();
    for (const [id, { at }] of listed) {
      const ids = bySecond.get(at);
      if (ids) ids.push(id);
      else bySecond.set(at, [id]);
    }
    const fresh: Array<{ id: string; at: number; event: JsonObject }> = [];
    for (const [second, ids] of bySecond) {
      const verdict = judgeSecond(seen[String(second)], ids);
      counts.alreadyDelivered += verdict.known;
      counts.redelivered += verdict.redelivered;
      for (const id of verdict.deliver) {
        const item = listed.get(id);
        if (item) fresh.push({ id, ...item });
      }
    }
    fresh.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let deliveredInSlice = 0;
    if (fresh.length > 0) {
      const { rejected } = await deps.deliver(fresh.map(({ event }) => event));
      counts.rejected += rejected;
      deliveredInSlice = fresh.length - rejected;
      counts.delivered += deliveredInSlice;
    }
    counts.slices++;
    highWater = Math.max(highWater ?? end, end);
    // Remember only what the next run's overlap can list again, within the item's budget.
    seen = boundSeen(rememberSeconds(seen, bySecond), highWater - options.overlapSeconds);
    await deps.cursor.save({ highWater, seen });
    deps.onSlice?.({ sliceStart: start, sliceEnd: end, listed: listedInSlice, delivered: deliveredInSlice, pages });
    start = end + 1;
  }
  return result(true);
}
