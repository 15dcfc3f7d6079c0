// enqueueEvents over the SQS emulator: good events reach the detection queue in envelopes, a
// hostile one reaches the DLQ with kind, reason and what of it fits, and neither stops the other.
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { enqueueEvents } from '../../../../lib/ingestion/packing/enqueue-events.ts';
import { SqsDeadLetterSink } from '../../../../lib/shared/sqs-dead-letter-sink.ts';
import { createPipelineResources, drain, eventsOfBody, organizationOfBody } from '../../../support/aws-resources.ts';

describe('enqueueEvents', () => {
  it('sends the good events and dead-letters the ones that cannot travel, each with its reason', async () => {
    const resources = await createPipelineResources();
    const sqs = new SQSClient({});
    const deep = JSON.parse(
      `{"id":"deep-1","type":"login.succeeded","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    ) as unknown;
    const huge = { id: 'huge-1', type: 'login.succeeded', pad: 'z'.repeat(18_000_000) };
    const good = (id: string) => ({ id, type: 'login.succeeded', effective_at: 1 });
    const result = await enqueueEvents(
      { sqs, queueUrl: resources.queueUrl, deadLetters: new SqsDeadLetterSink(sqs, resources.dlqUrl) },
      [good('g1'), deep, good('g2'), huge, good('g3')],
      { organization: { id: 'org-acme', name: 'Acme' }, source: 'poller' },
    );
    expect(result.enqueued).toBe(3);
    expect(result.rejected.map((r) => r.eventId)).toEqual(['deep-1', 'huge-1']);
    const queued = await drain(resources.queueUrl, { attributes: false });
    expect(queued.flatMap((m) => eventsOfBody(m.Body).map((e) => e.id))).toEqual(['g1', 'g2', 'g3']);
    expect(queued.map((m) => organizationOfBody(m.Body))).toEqual(['org-acme']);
    const letters = await drain(resources.dlqUrl);
    const attributes = letters.map((m) =>
      Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
    );
    expect(attributes).toEqual([
      {
        failure_kind: 'unpackable-event',
        failure_reason: 'the event nests objects and arrays deeper than 64 levels',
        source_message_id: 'poller:org-acme:deep-1',
        truncated: 'false',
      },
      {
        failure_kind: 'unpackable-event',
        failure_reason: expect.stringMatching(/^the event is 18000\d{3} bytes as JSON/) as string,
        source_message_id: 'poller:org-acme:huge-1',
        truncated: 'false',
      },
    ]);
    expect(letters.map((m) => m.Body?.slice(0, 30))).toEqual([
      '{"id":"deep-1","type":"login.s',
      '{"id":"huge-1","type":"login.s',
    ]);
  });

  it('sends an event holding characters SQS refuses (U+FFFE, U+FFFF) with them escaped: the same event, not a stalled batch', async () => {
    const resources = await createPipelineResources();
    const sqs = new SQSClient({});
    const named = {
      id: 'key-1',
      type: 'api_key.created',
      effective_at: 1,
      data: { name: 'ops\uffff', note: '\ufffe' },
    };
    const result = await enqueueEvents(
      { sqs, queueUrl: resources.queueUrl },
      [named, { id: 'after', type: 'login.succeeded', effective_at: 2 }],
      {
        organization: { id: 'org-acme', name: 'Acme' },
        source: 'poller',
      },
    );
    expect(result).toEqual({ enqueued: 2, rejected: [] });
    const queued = await drain(resources.queueUrl, { attributes: false });
    expect(queued.flatMap((m) => eventsOfBody(m.Body))).toEqual([
      named,
      { id: 'after', type: 'login.succeeded', effective_at: 2 },
    ]);
  });
});
