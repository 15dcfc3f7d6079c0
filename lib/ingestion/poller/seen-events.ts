import { createHash } from 'node:crypto';

/**
 * What was delivered in one second of `effective_at`: the ids themselves while they fit in the
 * cursor's budget, else only their count and an order-independent digest.
 */
export interface SeenSecond {
  /** Events delivered with this `effective_at`. */
  readonly n: number;
  /** XOR of the first 64 bits of each id's SHA-256, as 16 hex digits. */
  readonly h: string;
  /** The ids, while the cursor has room for them. */
  readonly ids?: readonly string[];
}

/** Per `effective_at` second (Unix seconds as keys), within the overlap window. */
export type SeenEvents = Readonly<Record<string, SeenSecond>>;

/** Bytes the seen-events part of a cursor may take: a DynamoDB item holds 400 KB in all. */
export const SEEN_BUDGET_BYTES = 200_000;

/** Seconds of overlap at most: a digest-only second takes ~45 bytes, so 3,600 of them fit the budget. */
export const MAX_OVERLAP_SECONDS = 3600;

const ZERO = '0000000000000000';

function idHash(id: string): bigint {
  return BigInt(`0x${createHash('sha256').update(id).digest('hex').slice(0, 16)}`);
}

/**
 * Order-independent digest of a set of ids (XOR of 64-bit hashes).
 *
 * @example
 * ```ts
 * digestOf(['a', 'b']) === digestOf(['b', 'a']); // true
 * ```
 */
export function digestOf(ids: Iterable<string>): string {
  let acc = 0n;
  for (const id of ids) acc ^= idHash(id);
  return acc.toString(16).padStart(16, '0');
}

/** How the events listed in one second compare with what was delivered before. */
export interface SecondVerdict {
  /** Ids to deliver now. */
  readonly deliver: readonly string[];
  /** Listed and known to be delivered already. */
  readonly known: number;
  /**
   * Ids delivered again because the second was remembered by digest only and its set changed (a
   * late event): the detection pipeline recognises the ones it has seen.
   */
  readonly redelivered: number;
}

/**
 * Compares the complete listing of one second with what the cursor remembers of it.
 *
 * @example
 * ```ts
 * judgeSecond(seen['1800000000'], ['audit_log-a', 'audit_log-b']); // { deliver: ['audit_log-b'], known: 1, redelivered: 0 }
 * ```
 */
export function judgeSecond(remembered: SeenSecond | undefined, listed: readonly string[]): SecondVerdict {
  if (remembered === undefined) return { deliver: listed, known: 0, redelivered: 0 };
  if (remembered.ids !== undefined) {
    const known = new Set(remembered.ids);
    const deliver = listed.filter((id) => !known.has(id));
    return { deliver, known: listed.length - deliver.length, redelivered: 0 };
  }
  if (listed.length === remembered.n && digestOf(listed) === remembered.h)
    return { deliver: [], known: listed.length, redelivered: 0 };
  // Remembered by digest only and changed: which ids are new cannot be told, so all go again.
  return { deliver: listed, known: 0, redelivered: Math.min(listed.length, remembered.n) };
}

/**
 * Adds what was delivered in some seconds to the seen events. A second now fully listed replaces
 * what was remembered of it (it holds every id listed in that second).
 *
 * @example
 * ```ts
 * seen = rememberSeconds(seen, new Map([[1800000000, ['audit_log-a', 'audit_log-b']]]));
 * ```
 */
export function rememberSeconds(seen: SeenEvents, listed: ReadonlyMap<number, readonly string[]>): SeenEvents {
  const next: Record<string, SeenSecond> = { ...seen };
  for (const [second, ids] of listed) {
    // Ids remembered exactly stay remembered even if a listing no longer shows them.
    const unique = [...new Set([...(seen[String(second)]?.ids ?? []), ...ids])].sort();
    next[String(second)] = { n: unique.length, h: unique.length === 0 ? ZERO : digestOf(unique), ids: unique };
  }
  return next;
}

/**
 * Keeps the seen events bounded: drops seconds before `keepFrom`, then, while the JSON is over
 * `budgetBytes`, forgets the ids of the busiest seconds (keeping their count and digest). The
 * result is at most ~45 bytes per second of the overlap plus what ids fit the budget.
 *
 * @example
 * ```ts
 * const bounded = boundSeen(seen, highWater - overlapSeconds);
 * ```
 */
export function boundSeen(seen: SeenEvents, keepFrom: number, budgetBytes: number = SEEN_BUDGET_BYTES): SeenEvents {
  const kept = Object.entries(seen).filter(([second]) => Number(second) >= keepFrom);
  let bytes = Buffer.byteLength(JSON.stringify(Object.fromEntries(kept)));
  if (bytes <= budgetBytes) return Object.fromEntries(kept);
  const result = new Map<string, SeenSecond>(kept);
  const busiest = kept.filter(([, s]) => s.ids !== undefined).sort(([, a], [, b]) => b.n - a.n);
  for (const [second, entry] of busiest) {
    if (bytes <= budgetBytes) break;
    const digestOnly: SeenSecond = { n: entry.n, h: entry.h };
    bytes -= Buffer.byteLength(JSON.stringify(entry)) - Buffer.byteLength(JSON.stringify(digestOnly));
    result.set(second, digestOnly);
  }
  return Object.fromEntries(result);
}

/**
 * The seen events of a cursor written before seconds were kept (`{id: effective_at}`).
 *
 * @example
 * ```ts
 * fromSentMap({ 'audit_log-a': 1800000000 });
 * ```
 */
export function fromSentMap(sent: Readonly<Record<string, number>>): SeenEvents {
  const bySecond = new Map<number, string[]>();
  for (const [id, at] of Object.entries(sent)) {
    const ids = bySecond.get(at);
    if (ids) ids.push(id);
    else bySecond.set(at, [id]);
  }
  return rememberSeconds({}, bySecond);
}
