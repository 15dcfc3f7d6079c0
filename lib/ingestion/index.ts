// The public surface of lib/ingestion: what other parts of lib/ and functions/ may import from it
// (ESLint's project-boundaries rule, eslint.config.js). Inside lib/ingestion, modules import each other directly.
export { readEnvelope } from './packing/envelope.ts';
export {
  DEFAULT_ORGANIZATION,
  DEFAULT_ORGANIZATION_ID,
  type Organization,
  organizationIdProblem,
  organizationLabel,
  organizationName,
} from './packing/organization.ts';
export { packEvents } from './packing/pack-events.ts';
export { sendMessages } from './packing/queue-sink.ts';
export { serializeEvent } from './packing/serialize-event.ts';
export { type SecretSource, SecureParameter, staticSecret } from './parameters/secure-parameter.ts';
export { SecureStringProvider } from './parameters/secure-string-provider.ts';
export { AuditLogClient } from './poller/audit-log-client.ts';
export { awsOrganizationPoller } from './poller/aws-dependencies.ts';
export { type CursorStore, DynamoCursorStore, MemoryCursorStore } from './poller/cursor-store.ts';
export { AdminKeyRejectedError, AuditLogRequestError, AuditLogUnavailableError } from './poller/errors.ts';
export { type PollConfig, type PolledOrganization } from './poller/poll-config.ts';
export { pollOrganizations } from './poller/poll-organizations.ts';
export { pollAuditLogs, type PollDependencies } from './poller/poll.ts';
export { MAX_OVERLAP_SECONDS } from './poller/seen-events.ts';
export { webhookDependencies } from './webhook/aws-dependencies.ts';
export { MAX_BODY_BYTES, SECRET_MIN_REFRESH_INTERVAL_MS } from './webhook/constants.ts';
export { readCredentials } from './webhook/credentials.ts';
export { handleWebhook, type WebhookDependencies } from './webhook/handle-webhook.ts';
export { handleHttpApiRequest } from './webhook/http-api.ts';
export { errorResponse, type WebhookResponse } from './webhook/request.ts';
export { signWebhook, verifySignature } from './webhook/signature.ts';
