// The webhook-id protocol on DynamoDB (dynalite): first claim wins, a concurrent one waits, a
// crashed one's lease is taken over, a completed one is replayed, a reused id with another body
// is a conflict, a released one can be claimed again, an expired one is overwritten.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_ID_LEASE_SECONDS, WEBHOOK_ID_RETENTION_SECONDS } from '../../../../lib/ingestion/webhook/constants.ts';
import { DynamoReplayGuard } from '../../../../lib/ingestion/webhook/replay-guard.ts';
import { createWebhookDeliveriesTable } from '../../../../lib/tooling/local/webhook-table.ts';

const T = 1_800_000_000;
let guard: DynamoReplayGuard;

beforeEach(async () => {
  const dynamodb = new DynamoDBClient({});
  guard = new DynamoReplayGuard(
    dynamodb,
    await createWebhookDeliveriesTable(dynamodb, `replay-${randomBytes(4).toString('hex')}`),
  );
});

describe('DynamoReplayGuard', () => {
  it('lets one request claim an id; others wait, then get its answer', async () => {
    const first = await guard.claim('k', 'h1', T);
    expect(first.kind).toBe('claimed');
    expect(await guard.claim('k', 'h1', T + 1)).toEqual({
      kind: 'in-progress',
      retryAfterSeconds: WEBHOOK_ID_LEASE_SECONDS - 1,
    });
    if (first.kind !== 'claimed') throw new Error('unreachable');
    await guard.complete('k', first.token, '{"accepted":1}', T + 2);
    expect(await guard.claim('k', 'h1', T + 3)).toEqual({ kind: 'replay', response: '{"accepted":1}' });
    expect(await guard.claim('k', 'h2', T + 3)).toEqual({ kind: 'conflict' });
  });

  it('takes over the lease of a request that died, and refuses the dead one its completion', async () => {
    const dead = await guard.claim('k', 'h1', T);
    const retry = await guard.claim('k', 'h1', T + WEBHOOK_ID_LEASE_SECONDS + 1);
    expect(retry.kind).toBe('claimed');
    if (dead.kind !== 'claimed') throw new Error('unreachable');
    await expect(guard.complete('k', dead.token, '{}', T + 100)).rejects.toThrow();
  });

  it('can claim again an id given back after a failure, and overwrites one past its retention', async () => {
    const first = await guard.claim('k', 'h1', T);
    if (first.kind !== 'claimed') throw new Error('unreachable');
    await guard.release('k', first.token);
    const again = await guard.claim('k', 'h1', T + 1);
    expect(again.kind).toBe('claimed');
    if (again.kind !== 'claimed') throw new Error('unreachable');
    await guard.complete('k', again.token, '{}', T + 1);
    expect((await guard.claim('k', 'other-body', T + WEBHOOK_ID_RETENTION_SECONDS + 2)).kind).toBe('claimed');
  });
});
