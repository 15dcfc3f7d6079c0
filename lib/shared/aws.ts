// The AWS adapters of lib/shared, a public surface apart from index.ts: a function loads them when it
// first needs them (a dynamic import of this module), and esbuild puts every module a barrel
// re-exports in the barrel's chunk, so in index.ts they would load at every cold start.
export { SqsDeadLetterSink } from './sqs-dead-letter-sink.ts';
