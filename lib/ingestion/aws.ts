// The AWS adapters of lib/ingestion that a command loads when it first needs them (see lib/shared/aws.ts).
export { enqueueEvents } from './packing/enqueue-events.ts';
