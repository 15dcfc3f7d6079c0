export {
  EXCERPT_CHARS,
  MAX_BATCH_BYTES,
  MAX_EVENT_BYTES,
  MAX_EVENT_DEPTH,
  MAX_EVENTS_PER_MESSAGE,
} from './constants.ts';
export { enqueueEvents, type EnqueueResult, type EnqueueTarget } from './enqueue-events.ts';
export {
  ENVELOPE_TAG,
  envelopeOpening,
  readEnvelope,
  type EnvelopeHeader,
  type IngestSource,
  type ReadEnvelope,
} from './envelope.ts';
export {
  DEFAULT_ORGANIZATION,
  DEFAULT_ORGANIZATION_ID,
  MAX_ORGANIZATION_NAME,
  organizationIdProblem,
  organizationLabel,
  organizationName,
  type Organization,
} from './organization.ts';
export { packEvents, type PackedEvents, type PackOptions, type RejectedEvent } from './pack-events.ts';
export { sendMessages } from './queue-sink.ts';
export { nestingDepth, serializeEvent, type EventLimits, type SerializedEvent } from './serialize-event.ts';
