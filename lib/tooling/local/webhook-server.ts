import { createServer, type IncomingMessage, type Server } from 'node:http';
import { MAX_BODY_BYTES } from '../../ingestion/webhook/constants.ts';
import { handleWebhook, type WebhookDependencies } from '../../ingestion/webhook/handle-webhook.ts';
import { errorResponse, type WebhookResponse } from '../../ingestion/webhook/request.ts';

/** The path the deployed HTTP API routes to the webhook (infra/webhook.yml). */
export const WEBHOOK_PATH = '/v1/audit-events';

/** A running local webhook endpoint. */
export interface WebhookServer {
  /** e.g. `http://127.0.0.1:43123/v1/audit-events` */
  readonly url: string;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Serves the webhook over HTTP on 127.0.0.1 only (for `npm start -- --keep-running`, the tests and
 * the benchmark), at {@link WEBHOOK_PATH}, with the same request handling as the deployed function.
 *
 * @example
 * ```ts
 * const server = await startWebhookServer(deps);
 * console.log(server.url);
 * ```
 */
export async function startWebhookServer(deps: WebhookDependencies, port = 0): Promise<WebhookServer> {
  const server: Server = createServer((req, res) => {
    const send = (response: WebhookResponse) => {
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== WEBHOOK_PATH) {
      send(errorResponse(404, 'not-found', `send events to ${WEBHOOK_PATH}`));
      return;
    }
    readBody(req)
      .then(async (body) => {
        if (body === undefined)
          return send(errorResponse(413, 'payload-too-large', `the body is larger than ${MAX_BODY_BYTES} bytes`));
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
        );
        send(
          await handleWebhook(
            { method: req.method ?? 'GET', headers, query: Object.fromEntries(url.searchParams), body },
            deps,
          ),
        );
      })
      .catch(() => send(errorResponse(400, 'bad-request', 'the request body could not be read')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}${WEBHOOK_PATH}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
