import { envelopeValue } from '../../ingestion/packing/envelope.ts';
import type { JsonObject, JsonValue } from '../../shared/json.ts';
import type { RecordEnvelope } from './batch-work.ts';

/**
 * The events of a dead letter as they must be redriven: in their record's envelope when it had
 * one (the same organization, so the same dedup keys and archive partition), else as a JSON array.
 *
 * @example
 * ```ts
 * letterContent(letterEvents(events, origin.envelope), record.body, reason);
 * ```
 */
export function letterEvents(events: readonly JsonObject[], envelope: RecordEnvelope | undefined): JsonValue {
  return envelope === undefined ? [...events] : envelopeValue(envelope.organization, envelope.source, events);
}
