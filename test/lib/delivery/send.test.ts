// sendRequest against real local HTTP servers: how each kind of answer is classified.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { sendRequest } from '../../../lib/delivery/send.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/secret-path-token`;
}

const post = (url: string, timeoutMs?: number) =>
  sendRequest(
    { url, body: '{}', headers: { 'content-type': 'application/json' } },
    { ...(timeoutMs ? { timeoutMs } : {}), nowMs: () => Date.parse('2026-11-25T00:00:00Z') },
  );

describe('sendRequest', () => {
  it.each([
    [200, 'ok', { kind: 'delivered', status: 200 }],
    [202, '{"status":"success"}', { kind: 'delivered', status: 202 }],
    [500, 'rollup_error', { kind: 'retry', reason: 'HTTP 500: rollup_error' }],
    [408, '', { kind: 'retry', reason: 'HTTP 408' }],
    [400, 'invalid_blocks', { kind: 'rejected', status: 400, reason: 'HTTP 400: invalid_blocks' }],
    [410, 'channel_is_archived', { kind: 'rejected', status: 410, reason: 'HTTP 410: channel_is_archived' }],
  ])('classifies HTTP %i', async (status, body, outcome) => {
    const url = await serve((_req, res) => res.writeHead(status).end(body));
    expect(await post(url)).toEqual(outcome);
  });

  it('reads Retry-After as seconds or as a date', async () => {
    const seconds = await serve((_req, res) => res.writeHead(429, { 'retry-after': '30' }).end());
    expect(await post(seconds)).toEqual({ kind: 'retry', reason: 'HTTP 429', retryAfterMs: 30_000 });
    const date = await serve((_req, res) =>
      res.writeHead(503, { 'retry-after': 'Wed, 25 Nov 2026 00:01:00 GMT' }).end(),
    );
    expect(await post(date)).toEqual({ kind: 'retry', reason: 'HTTP 503', retryAfterMs: 60_000 });
  });

  it('does not follow a redirect', async () => {
    let followed = false;
    const target = await serve((_req, res) => {
      followed = true;
      res.writeHead(200).end();
    });
    const url = await serve((_req, res) => res.writeHead(302, { location: target }).end());
    const outcome = await post(url);
    expect(outcome).toMatchObject({ kind: 'rejected', status: 302 });
    expect(outcome.kind === 'rejected' ? outcome.reason : '').toContain('redirects are not followed');
    expect(followed).toBe(false);
  });

  it('retries a dropped connection, naming only the error code', async () => {
    const url = await serve((req) => req.socket.destroy());
    const outcome = await post(url);
    expect(outcome.kind).toBe('retry');
    expect(outcome.kind === 'retry' ? outcome.reason : '').toMatch(/^network error \([A-Z_]+\)$/);
  });

  it('retries when no answer comes in time (the server never answers)', async () => {
    const url = await serve(() => undefined);
    expect(await post(url, 50)).toEqual({ kind: 'retry', reason: 'no answer in time' });
  });

  it('escapes and shortens what the destination answered', async () => {
    const url = await serve((_req, res) => res.writeHead(400).end(`bad\u001b[2J${'x'.repeat(500)}`));
    const outcome = await post(url);
    expect(outcome.kind === 'rejected' ? outcome.reason : '').toMatch(/^HTTP 400: bad\\u001b\[2Jx{193}…$/);
  });
});
