export * from './constants.ts';
export {
  alertIdFor,
  eventFingerprint,
  partitionKey,
  pendingRegisterKey,
  windowKey,
  type DedupItem,
  type WindowStatus,
} from './dedup-item.ts';
export type {
  ClaimInput,
  ClaimResult,
  DedupStore,
  TakenOverWindow,
  WindowLease,
  WindowSnapshot,
} from './dedup-store.ts';
export { decideClaim, decideTakeOver, type ClaimDecision, type ClaimRequest, type TakeOverDecision } from './decide.ts';
export { DedupContentionError } from './errors.ts';
export { expiryAfterWrite, placeInWindow, systemClock, trustedEventTime, type WindowPlacement } from './window.ts';
