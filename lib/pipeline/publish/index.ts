export type { AlertPublisher } from './alert-publisher.ts';
export type { DeadLetter, DeadLetterKind, DeadLetterSink } from './dead-letter-sink.ts';
