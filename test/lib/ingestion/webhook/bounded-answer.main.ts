// Run by bounded-answer.test.ts, bundled, in a Node process with a small heap: the webhook's
// handling of a signed body of 2.4 million lines that are not audit events (and one that is),
// with in-memory stand-ins for the secret, the webhook-id table and the queue. Prints the answer's
// shape; exits 1 if the handling failed, and dies if it needs more memory than the heap it has.
import { randomBytes } from 'node:crypto';
import type { WebhookDependencies } from '../../../../lib/ingestion/webhook/handle-webhook.ts';
import { handleWebhook } from '../../../../lib/ingestion/webhook/handle-webhook.ts';
import { signWebhook } from '../../../../lib/ingestion/webhook/signature.ts';

const NOW = 1_800_000_000;
const key = randomBytes(32);
const body = Buffer.from(`${'1\n'.repeat(2_400_000)}{"id":"e1","type":"login.succeeded"}\n`);
let stored = 0;
const deps: WebhookDependencies = {
  secrets: { description: 'test', get: () => Promise.resolve(`whsec_${key.toString('base64')}`) },
  bearerEnabled: false,
  organizations: [{ id: 'default', name: '' }],
  replay: {
    claim: () => Promise.resolve({ kind: 'claimed', token: 't' }),
    complete: (_key, _token, response) => Promise.resolve(void (stored = response.length)),
    release: () => Promise.resolve(),
  },
  enqueue: (events) => Promise.resolve({ enqueued: events.length, rejected: [] }),
  clock: () => NOW,
};
const response = await handleWebhook(
  {
    method: 'POST',
    headers: {
      'content-type': 'application/x-ndjson',
      'webhook-id': 'msg_large',
      'webhook-timestamp': String(NOW),
      'webhook-signature': signWebhook(key, 'msg_large', String(NOW), body),
    },
    query: {},
    body,
  },
  deps,
);
const answer = JSON.parse(response.body) as { accepted?: number; rejected?: unknown[]; rejectedCount?: number };
process.stdout.write(
  JSON.stringify({
    status: response.status,
    bytes: response.body.length,
    stored,
    accepted: answer.accepted,
    listed: answer.rejected?.length,
    rejectedCount: answer.rejectedCount,
  }),
);
process.exitCode = response.status === 202 ? 0 : 1;
