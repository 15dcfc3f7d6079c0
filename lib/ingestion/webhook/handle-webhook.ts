import { createHash } from 'node:crypto';
import { printable } from '../../shared/printable.ts';
import type { SecretSource } from '../parameters/secure-parameter.ts';
import type { EnqueueResult } from '../packing/enqueue-events.ts';
import type { Organization } from '../packing/organization.ts';
import { bodyEvents, decodeBody } from './body.ts';
import { MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST } from './constants.ts';
import { readCredentials, type WebhookCredentials } from './credentials.ts';
import type { ReplayGuard } from './replay-guard.ts';
import {
  errorResponse,
  jsonResponse,
  type AcceptedBody,
  type WebhookRequest,
  type WebhookResponse,
} from './request.ts';
import { bearerMatches, NO_MATCH, verifySignature } from './signature.ts';

/** What the webhook needs. */
export interface WebhookDependencies {
  /** The secret parameter's text (signing secrets, bearer tokens); see {@link readCredentials}. */
  readonly secrets: SecretSource;
  /** Accept `Authorization: Bearer` for forwarders that cannot sign (off unless switched on). */
  readonly bearerEnabled: boolean;
  /** The organizations events may be sent for; the first is used when the request names none. */
  readonly organizations: readonly Organization[];
  readonly replay: ReplayGuard;
  /** Packs and sends events to the detection queue; resolves once they are all on it. */
  readonly enqueue: (events: readonly unknown[], organization: Organization) => Promise<EnqueueResult>;
  /** Unix seconds. */
  readonly clock: () => number;
  /** For operators: one line per request (never a secret, never the body). */
  readonly log?: (level: 'INFO' | 'WARN' | 'ERROR', message: string, details: Record<string, unknown>) => void;
}

/** How a request authenticated. */
type Authentication =
  | { readonly ok: true; readonly webhookId: string | undefined }
  /** `keyMismatch`: well-formed, but no key or token matched (the secret may have been rotated). */
  | { readonly ok: false; readonly reason: string; readonly keyMismatch: boolean };

async function authenticate(
  request: WebhookRequest,
  deps: WebhookDependencies,
  credentials: WebhookCredentials,
): Promise<Authentication> {
  const { headers } = request;
  const signed = headers['webhook-signature'] !== undefined || headers['webhook-id'] !== undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  const check = (creds: WebhookCredentials): Authentication => {
    if (signed) {
      const result = verifySignature(
        { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] },
        request.body,
        creds.signingKeys,
        deps.clock(),
      );
      return result.ok
        ? { ok: true, webhookId: result.id }
        : { ok: false, reason: result.reason, keyMismatch: result.reason === NO_MATCH };
    }
    if (bearer !== undefined && deps.bearerEnabled) {
      return bearerMatches(bearer, creds.bearerTokens)
        ? { ok: true, webhookId: undefined }
        : { ok: false, reason: 'the bearer token is not valid', keyMismatch: true };
    }
    const reason = deps.bearerEnabled
      ? 'sign the request (webhook-id, webhook-timestamp, webhook-signature) or send a bearer token'
      : 'sign the request: webhook-id, webhook-timestamp, webhook-signature';
    return { ok: false, reason, keyMismatch: false };
  };
  const first = check(credentials);
  if (first.ok || !first.keyMismatch) return first;
  // The secret may have just been rotated: read it again (at most every few seconds) and retry.
  try {
    return check(readCredentials(await deps.secrets.get({ refresh: true })));
  } catch {
    return first;
  }
}

/** An event id (the sender's text) as a rejected item names it: a bounded answer lists bounded items. */
const MAX_ITEM_ID_CHARS = 100;

/** Standard Webhooks ids are unique per sender; the organization keeps two senders apart. */
const replayKey = (organization: Organization, webhookId: string) => `webhook#${organization.id}#${webhookId}`;

/**
 * Handles one webhook request: authenticates it (Standard Webhooks signature, or a bearer token
 * when switched on), picks the organization (`?organization=`), reads the body (JSON event, array,
 * list page or JSON Lines; gzip), claims its webhook-id so a redelivery enqueues nothing twice,
 * puts every accepted event on the detection queue, and only then answers 202 with the counts and
 * each rejected item's reason. Errors answer 400, 401, 405, 409, 413, 415, 429 or 503 with
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
    let credentials: WebhookCredentials;
    try {
      credentials = readCredentials(await deps.secrets.get());
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
    const auth = await authenticate(request, deps, credentials);
    if (!auth.ok) {
      log('WARN', 'webhook request refused', { status: 401, reason: auth.reason });
      return errorResponse(401, 'unauthorized', auth.reason);
    }
    const wanted = request.query.organization;
    const organization = wanted === undefined ? deps.organizations[0] : deps.organizations.find((o) => o.id === wanted);
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
      error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'unknown',
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
