import { isJsonObject, ownValue } from '../../shared/json.ts';
import { MAX_BATCH_BYTES, MAX_EVENT_BYTES, MAX_EVENTS_PER_MESSAGE } from './constants.ts';
import { envelopeOpening, type IngestSource } from './envelope.ts';
import type { Organization } from './organization.ts';
import { serializeEvent } from './serialize-event.ts';

/** Where packed events belong and how large messages may be. */
export interface PackOptions {
  readonly organization: Organization;
  readonly source: IngestSource;
  /** Bytes per message body (default 200,000); a larger single event travels alone. */
  readonly maxBytes?: number;
  /** Events per message (default 100). */
  readonly maxEvents?: number;
  /** Largest event sent at all (default 250,000 bytes). */
  readonly maxEventBytes?: number;
  readonly maxDepth?: number;
}

/** An event that cannot travel, with why, and what of it can be kept. */
export interface RejectedEvent {
  /** Its position in the input. */
  readonly index: number;
  readonly eventId: string | undefined;
  readonly reason: string;
  /** The event's JSON, or as much of it as can be kept (its identifying fields at least). */
  readonly excerpt: string;
}

/** Message bodies, in input order, and the events left out. */
export interface PackedEvents {
  readonly bodies: string[];
  /** Events in the bodies. */
  readonly packed: number;
  readonly rejected: RejectedEvent[];
}

/**
 * Packs events into queue message bodies: our envelope (organization, source) around as many
 * events as fit within `maxEvents` and `maxBytes`, order kept. Each event is serialised on its
 * own: one that is too deep, too large or not serialisable is returned in `rejected` with its
 * reason, and the others are packed as if it were not there.
 *
 * @example
 * ```ts
 * const { bodies, rejected } = packEvents(events, { organization, source: 'poller' });
 * ```
 */
export function packEvents(events: readonly unknown[], options: PackOptions): PackedEvents {
  const maxBytes = options.maxBytes ?? MAX_BATCH_BYTES;
  const maxEvents = options.maxEvents ?? MAX_EVENTS_PER_MESSAGE;
  const opening = envelopeOpening(options.organization, options.source);
  const overhead = Buffer.byteLength(opening) + 2;
  const bodies: string[] = [];
  const rejected: RejectedEvent[] = [];
  let current: string[] = [];
  let bytes = overhead;
  let packed = 0;
  const flush = () => {
    if (current.length > 0) bodies.push(`${opening}${current.join(',')}]}`);
    current = [];
    bytes = overhead;
  };
  events.forEach((event, index) => {
    const result = serializeEvent(event, {
      maxBytes: (options.maxEventBytes ?? MAX_EVENT_BYTES) - overhead,
      maxDepth: options.maxDepth,
    });
    if (!result.ok) {
      const id = isJsonObject(event) ? ownValue(event, 'id') : undefined;
      rejected.push({
        index,
        eventId: typeof id === 'string' ? id : undefined,
        reason: result.reason,
        excerpt: result.excerpt,
      });
      return;
    }
    const size = result.bytes + 1;
    if (current.length > 0 && (current.length === maxEvents || bytes + size > maxBytes)) flush();
    current.push(result.json);
    bytes += size;
    packed++;
  });
  flush();
  return { bodies, packed, rejected };
}
