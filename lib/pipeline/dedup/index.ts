export * from './constants.ts';
export { alertIdFor, partitionKey, type DedupItem, type WindowStatus } from './dedup-item.ts';
export type { ClaimInput, ClaimResult, DedupStore } from './dedup-store.ts';
export { decideClaim, type ClaimDecision, type ClaimRequest } from './decide.ts';
export { DedupContentionError } from './errors.ts';
