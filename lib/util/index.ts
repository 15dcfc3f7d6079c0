export { deepGet } from './deep-get.ts';
export { isJsonObject, ownValue, type JsonObject, type JsonValue } from './json.ts';
export { printable, quote } from './printable.ts';
export { retryAfterMs } from './retry-after.ts';
export { maskSecrets } from './mask-secrets.ts';
export { parseJsonInput, type ParseFailure, type ParsedInput, type ParsedValue } from './json-input.ts';
