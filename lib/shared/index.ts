// The public surface of lib/shared: what other parts of lib/ and functions/ may import from it
// (ESLint's project-boundaries rule, eslint.config.js). Inside lib/shared, modules import each other directly.
export { ConfigError } from './config-error.ts';
export { type DeadLetter, type DeadLetterKind, type DeadLetterSink } from './dead-letter-sink.ts';
export { deepGet } from './deep-get.ts';
export { describeError, typeName } from './describe-error.ts';
export { copyJsonObject } from './json-copy.ts';
export { readJsonInputBatches } from './json-input-stream.ts';
export { parseFailure, parseJsonInput } from './json-input.ts';
export { jsonSyntaxErrorOffset, positionOf } from './json-syntax.ts';
export { isJsonObject, type JsonObject, type JsonValue, ownValue } from './json.ts';
export { lazy } from './lazy.ts';
export { type LogFields, type LogLevel } from './log-level.ts';
export { maskSecrets, SECRET_MARK } from './mask-secrets.ts';
export { createPowertools, logWithPowertools } from './powertools.ts';
export { printable, quote } from './printable.ts';
export { retryAfterMs } from './retry-after.ts';
export { hideSdkNodeVersionNotice } from './sdk-node-notice.ts';
export { type BatchResult, type QueueRecord } from './sqs-batch.ts';
