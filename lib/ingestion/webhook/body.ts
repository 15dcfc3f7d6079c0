import { gunzipSync } from 'node:zlib';
import { visitAuditEvents } from '../../detection/openai/extract-events.ts';
import type { JsonObject } from '../../shared/json.ts';
import { visitJsonInput } from '../../shared/json-input.ts';
import { ACCEPTED_CONTENT_TYPES, MAX_BODY_BYTES } from './constants.ts';
import { RejectedItems } from './rejected-items.ts';
import { errorResponse, type WebhookResponse } from './request.ts';

/** The audit events of a request body, and the items that are not. */
export interface BodyEvents {
  readonly events: JsonObject[];
  readonly rejected: RejectedItems;
}

/**
 * The body as text: checks the content type (415), undoes `Content-Encoding: gzip` within
 * {@link MAX_BODY_BYTES} (413 past it: a small compressed body cannot expand without bound), and
 * decodes UTF-8 strictly (400).
 *
 * @example
 * ```ts
 * const text = decodeBody(request);
 * if (typeof text !== 'string') return text; // the error response
 * ```
 */
export function decodeBody(
  headers: Readonly<Record<string, string | undefined>>,
  body: Buffer,
): string | WebhookResponse {
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!ACCEPTED_CONTENT_TYPES.includes(type)) {
    return errorResponse(
      415,
      'unsupported-media-type',
      `Content-Type must be one of ${ACCEPTED_CONTENT_TYPES.join(', ')}`,
    );
  }
  const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let bytes = body;
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    try {
      bytes = gunzipSync(body, { maxOutputLength: MAX_BODY_BYTES });
    } catch (error) {
      const tooLarge = error instanceof RangeError || (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
      return tooLarge
        ? errorResponse(413, 'payload-too-large', `the body decompresses to more than ${MAX_BODY_BYTES} bytes`)
        : errorResponse(400, 'bad-encoding', 'the body is not valid gzip');
    }
  } else if (encoding !== 'identity') {
    return errorResponse(415, 'unsupported-encoding', 'Content-Encoding must be gzip or absent');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return errorResponse(400, 'bad-encoding', 'the body is not valid UTF-8');
  }
}

/**
 * The audit events in a body: one JSON event, an array, an OpenAI list page, or JSON Lines of
 * these. Every item is checked; bad ones are counted, the first few listed with where and why (in
 * input order), and the others kept. Read item by item, so that a body of millions of bad lines
 * costs the memory of the few listed, not of every one.
 *
 * @example
 * ```ts
 * const { events, rejected } = bodyEvents('{"id":"a","type":"login.succeeded"}\n{"id":"b"}');
 * [events.length, rejected.count]; // [1, 1]
 * ```
 */
export function bodyEvents(text: string, maxListed?: number): BodyEvents {
  const events: JsonObject[] = [];
  const rejected = new RejectedItems(maxListed);
  const broken = visitJsonInput(text, {
    value: (line, value) => {
      const where = (path: string) =>
        [line === undefined ? '' : `line ${line}`, path].filter(Boolean).join(': ') || 'body';
      visitAuditEvents(value, {
        event: (_path, event) => events.push(event),
        problem: (path, reason) => rejected.add(() => ({ item: where(path), reason })),
      });
    },
    failure: (line, describe) =>
      rejected.add(() => ({ item: `line ${line}`, reason: `not valid JSON: ${describe().reason}` })),
  });
  if (broken === undefined) return { events, rejected };
  // No line is JSON on its own: one broken document, reported once.
  const whole = new RejectedItems(maxListed);
  whole.add(() => ({
    item: broken.line === undefined ? 'body' : `line ${broken.line}`,
    reason: `not valid JSON: ${broken.reason}`,
  }));
  return { events, rejected: whole };
}
