import { gunzipSync } from 'node:zlib';
import { extractAuditEvents } from '../../detection/openai/extract-events.ts';
import type { JsonObject } from '../../shared/json.ts';
import { parseJsonInput } from '../../shared/json-input.ts';
import { ACCEPTED_CONTENT_TYPES, MAX_BODY_BYTES } from './constants.ts';
import { errorResponse, type RejectedItem, type WebhookResponse } from './request.ts';

/** The audit events of a request body, and the items that are not. */
export interface BodyEvents {
  readonly events: JsonObject[];
  readonly rejected: RejectedItem[];
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
 * these. Every item is checked; bad ones are listed with where and why, the others kept.
 *
 * @example
 * ```ts
 * const { events, rejected } = bodyEvents('{"id":"a","type":"login.succeeded"}\n{"id":"b"}');
 * ```
 */
export function bodyEvents(text: string): BodyEvents {
  const { values, failures } = parseJsonInput(text);
  const rejected: RejectedItem[] = failures.map((f) => ({
    item: f.line === undefined ? 'body' : `line ${f.line}`,
    reason: `not valid JSON: ${f.reason}`,
  }));
  const events: JsonObject[] = [];
  for (const { line, value } of values) {
    const extracted = extractAuditEvents(value);
    const where = (path: string) =>
      [line === undefined ? '' : `line ${line}`, path].filter(Boolean).join(': ') || 'body';
    for (const problem of extracted.problems) rejected.push({ item: where(problem.path), reason: problem.reason });
    events.push(...extracted.events.map((e) => e.event));
  }
  return { events, rejected };
}
