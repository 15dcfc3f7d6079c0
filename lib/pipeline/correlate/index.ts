export type { CorrelationStore } from './correlation-store.ts';
export {
  DynamoCorrelationStore,
  MAX_CORRELATION_WRITE_ATTEMPTS,
  correlationItemKey,
  type DynamoCorrelationStoreOptions,
} from './dynamodb-correlation-store.ts';
export { CorrelationContentionError } from './errors.ts';
