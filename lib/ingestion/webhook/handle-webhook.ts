import { createHash } from 'node:crypto';
import { printable } from '../../shared/printable.ts';
import type { SecretSource } from '../parameters/secure-parameter.ts';
import type { EnqueueResult } from '../packing/enqueue-events.ts';
import type { Organization } from '../packing/organization.ts';
import { bodyEvents, decodeBody } from './body.ts';
import { MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST } from './constants.ts';
import { authenticate } from './authenticate.ts';
import { readOrganizationCredentials, type OrganizationCredentials } from './organization-credentials.ts';
import type { ReplayGuard } from './replay-guard.ts';
import {
  errorResponse,
  jsonResponse,
  type AcceptedBody,
  type WebhookRequest,
  type WebhookResponse,
} from './request.ts';

/** What the webhook needs. */
export interface WebhookDependencies {
  /** The secret parameter's text: signing secrets and bearer tokens, each for one organization (see {@link readOrganizationCredentials}). */
  readonly secrets: SecretSource;
  /** Accept `Authorization: Bearer` for forwarders that cannot sign (off unless switched on). */
  readonly bearerEnabled: boolean;
  /** The organizations events may be sent for; the first is the one of a request naming none, and of the secrets bound to none. */
  readonly organizations: readonly Organization[];
  readonly replay: ReplayGuard;
  /** Packs and sends events to the detection queue; resolves once they are all on it. */
  readonly enqueue: (events: readonly unknown[], organization: Organization) => Promise<EnqueueResult>;
  /** Unix seconds. */
  readonly clock: () => number;
  /** For operators: one line per request (never a secret, never the body). */
  readonly log?: (level: 'INFO' | 'WARN' | 'ERROR', message: string, details: Record<string, unknown>) => void;
}

/** An event id (the sender's text) as a rejected item names it: a bounded answer lists bounded items. */
const MAX_ITEM_ID_CHARS = 100;

/**
 * Standard Webhooks ids are unique per sender; the organization keeps two senders apart. Both are
 * authenticated (the id is signed, and only the organization's own secrets verify the signature),
 * so a request cannot claim another organization's key, nor open a new one by naming another.
 */
const replayKey = (organization: Organization, webhookId: string) => `webhook#${organization.id}#${webhookId}`;

/**
 * Handles one webhook request: picks the organization (`?organization=`, else the first),
 * authenticates the request for it (a Standard Webhooks signature, or a bearer token when switched
 * on, with that organization's own secrets), reads the body (JSON event, array, list page or JSON
 * Lines; gzip), claims its webhook-id so a redelivery enqueues nothing twice, puts every accepted
 * event on the detection queue, and only then answers 202 with the count of events and the first
 * rejected items with their reasons. Errors answer 400, 401, 405, 409, 413, 415, 429 or 503 with
 * `{"error": {"code", "message"}}`. Never throws.
 *
 * @example
 * ```ts
 * const response = await handleWebhook({ method: 'POST', headers, query, body }, deps);
 * ```
 */
export async function handleWebhook(request: WebhookRequest, deps: WebhookDependencies): Promise<WebhookResponse> {
  const log = deps.log ?? (() => undefined);
  try {
    if (request.method !== 'POST')
      return errorResponse(405, 'method-not-allowed', 'send events with POST', {}, { allow: 'POST' });
    if (request.body.length > MAX_BODY_BYTES)
      return errorResponse(413, 'payload-too-large', `the body is larger than ${MAX_BODY_BYTES} bytes`);
    const wanted = request.query.organization;
    const organization = wanted === undefined ? deps.organizations[0] : deps.organizations.find((o) => o.id === wanted);
    let credentials: OrganizationCredentials;
    try {
      credentials = readOrganizationCredentials(await deps.secrets.get(), deps.organizations);
    } catch (error) {
      log('ERROR', 'webhook secret unusable', { error: error instanceof Error ? error.message : 'unknown' });
      return errorResponse(
        503,
        'not-configured',
        'the webhook secret cannot be read; the operator has been told',
        {},
        { 'retry-after': '60' },
      );
    }
    const auth = await authenticate(request, organization, credentials, deps);
    if (!auth.ok) {
      log('WARN', 'webhook request refused', { status: 401, reason: auth.reason, organization: organization?.id });
      return errorResponse(401, 'unauthorized', auth.reason);
    }
    if (organization === undefined)
      return errorResponse(
        400,
        'unknown-organization',
        'the organization query parameter names no configured organization',
      );

    const text = decodeBody(request.headers, request.body);
    if (typeof text !== 'string') return text;
    const { events, rejected } = bodyEvents(text);
    if (events.length === 0) {
      return errorResponse(
        400,
        rejected.count === 0 ? 'empty-body' : 'no-audit-events',
        rejected.count === 0 ? 'the body holds no events' : 'the body holds no audit event',
        { rejected: rejected.listed, rejectedCount: rejected.count },
      );
    }
    if (events.length > MAX_EVENTS_PER_REQUEST)
      return errorResponse(
        413,
        'too-many-events',
        `at most ${MAX_EVENTS_PER_REQUEST} events per request, got ${events.length}`,
      );

    const key = auth.webhookId === undefined ? undefined : replayKey(organization, auth.webhookId);
    const bodyHash = createHash('sha256').update(request.body).digest('hex');
    let token: string | undefined;
    if (key !== undefined) {
      const claim = await deps.replay.claim(key, bodyHash, deps.clock());
      if (claim.kind === 'replay') {
        log('INFO', 'webhook delivery replayed; nothing enqueued', {
          webhookId: auth.webhookId,
          organization: organization.id,
        });
        return jsonResponse(202, { ...(JSON.parse(claim.response) as AcceptedBody), replayed: true });
      }
      if (claim.kind === 'conflict')
        return errorResponse(409, 'webhook-id-reused', 'this webhook-id was already used for a different body');
      if (claim.kind === 'in-progress') {
        return errorResponse(
          429,
          'delivery-in-progress',
          'this webhook-id is being processed by another request; retry shortly',
          {},
          { 'retry-after': String(claim.retryAfterSeconds) },
        );
      }
      token = claim.token;
    }
    let result: EnqueueResult;
    try {
      result = await deps.enqueue(events, organization);
    } catch (error) {
      // Nothing is acknowledged: give the id back so the sender's retry enqueues (the detection
      // pipeline recognises any event that did reach the queue).
      if (key !== undefined && token !== undefined) await deps.replay.release(key, token).catch(() => undefined);
      log('ERROR', 'webhook events not enqueued; the sender will retry', {
        error: error instanceof Error ? error.name : 'unknown',
      });
      return errorResponse(
        503,
        'queue-unavailable',
        'the events could not be queued; retry later',
        {},
        { 'retry-after': '5' },
      );
    }
    for (const r of result.rejected) {
      rejected.add(() => ({
        item: r.eventId === undefined ? `event ${r.index + 1}` : `event ${printable(r.eventId, MAX_ITEM_ID_CHARS)}`,
        reason: r.reason,
      }));
    }
    const body: AcceptedBody = {
      accepted: result.enqueued,
      rejected: rejected.listed,
      rejectedCount: rejected.count,
      organization: organization.id,
      webhookId: auth.webhookId ?? null,
      replayed: false,
    };
    const response = JSON.stringify(body);
    if (key !== undefined && token !== undefined) {
      // If this write fails the events are queued all the same; a redelivery after the lease
      // would enqueue them again, and the detection pipeline recognises them.
      await deps.replay.complete(key, token, response, deps.clock()).catch((error: unknown) => {
        log('WARN', 'webhook-id not recorded as done', { error: error instanceof Error ? error.name : 'unknown' });
      });
    }
    log('INFO', 'webhook events accepted', {
      organization: organization.id,
      accepted: body.accepted,
      rejected: body.rejectedCount,
      webhookId: body.webhookId,
    });
    return jsonResponse(202, body);
  } catch (error) {
    log('ERROR', 'webhook request failed unexpectedly', {
      error: error instanceof Error ? printable(`${error.name}: ${error.message}`, 300) : 'unknown',
    });
    return errorResponse(
      503,
      'internal-error',
      'the request could not be handled; retry later',
      {},
      { 'retry-after': '5' },
    );
  }
}
