export { webhookDependencies, type WebhookResources } from './aws-dependencies.ts';
export { bodyEvents, decodeBody, type BodyEvents } from './body.ts';
export {
  ACCEPTED_CONTENT_TYPES,
  MAX_BODY_BYTES,
  MAX_EVENTS_PER_REQUEST,
  MIN_BEARER_TOKEN_CHARS,
  MIN_SECRET_BYTES,
  TIMESTAMP_TOLERANCE_SECONDS,
  WEBHOOK_ID_LEASE_SECONDS,
  WEBHOOK_ID_RETENTION_SECONDS,
} from './constants.ts';
export { readCredentials, type WebhookCredentials } from './credentials.ts';
export { handleWebhook, type WebhookDependencies } from './handle-webhook.ts';
export { DynamoReplayGuard, type ReplayGuard, type WebhookIdClaim } from './replay-guard.ts';
export {
  errorResponse,
  jsonResponse,
  type AcceptedBody,
  type RejectedItem,
  type WebhookRequest,
  type WebhookResponse,
} from './request.ts';
export {
  bearerMatches,
  NO_MATCH,
  signWebhook,
  verifySignature,
  type SignatureCheck,
  type SignatureHeaders,
} from './signature.ts';
