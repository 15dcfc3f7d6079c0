// Sending to the webhook over real HTTP as a Standard Webhooks sender would.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readCredentials } from '../../lib/ingestion/webhook/credentials.ts';
import { signWebhook } from '../../lib/ingestion/webhook/signature.ts';

export interface SendOptions {
  readonly secret?: string;
  readonly id?: string;
  readonly timestamp?: number;
  readonly contentType?: string;
  readonly gzip?: boolean;
  readonly headers?: Record<string, string>;
  readonly unsigned?: boolean;
  readonly query?: string;
  readonly method?: string;
}

export interface SentResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

export async function sendToWebhook(
  url: string,
  body: string | Buffer,
  options: SendOptions = {},
): Promise<SentResponse> {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const payload = options.gzip ? gzipSync(raw) : raw;
  const id = options.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    ...(options.gzip ? { 'content-encoding': 'gzip' } : {}),
  };
  if (!options.unsigned) {
    const key = readCredentials(options.secret ?? '').signingKeys[0] ?? Buffer.alloc(0);
    Object.assign(headers, {
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': signWebhook(key, id, timestamp, payload),
    });
  }
  const response = await fetch(`${url}${options.query ?? ''}`, {
    method: options.method ?? 'POST',
    headers: { ...headers, ...options.headers },
    body: options.method === 'GET' ? undefined : payload,
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}
