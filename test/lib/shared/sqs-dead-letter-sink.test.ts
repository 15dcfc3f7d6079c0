// The DLQ sink over the SQS emulator (fauxqs enforces SQS's 1 MiB, body and attributes together,
// and its character rules, as SQS does): a letter too large for a message is stored cut to fit
// beside its attributes, however large they are, between two characters, and says so in
// `truncated`; one that fits is stored whole; characters SQS refuses are stored escaped.
import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../lib/shared/dead-letter-sink.ts';
import { SQS_MAX_MESSAGE_BYTES, SqsDeadLetterSink } from '../../../lib/shared/sqs-dead-letter-sink.ts';
import { createPipelineResources, drain, sqs } from '../../support/aws-resources.ts';

/** Sends one letter to a fresh DLQ (made like the deployed one) and returns what the queue holds. */
async function stored(letter: DeadLetter): Promise<Message[]> {
  const { dlqUrl } = await createPipelineResources();
  await new SqsDeadLetterSink(sqs(), dlqUrl).send(letter);
  return drain(dlqUrl);
}

const attributesOf = (message: Message | undefined) =>
  Object.fromEntries(
    Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
  );

/** A message's size as SQS counts it: the body, and each attribute's name, data type and value, in UTF-8 bytes. */
function messageBytes(message: Message | undefined): number {
  const attributes = Object.entries(message?.MessageAttributes ?? {});
  const bytes = (text: string | undefined) => Buffer.byteLength(text ?? '', 'utf8');
  return (
    bytes(message?.Body) +
    attributes.reduce((sum, [name, value]) => sum + bytes(name) + bytes(value.DataType) + bytes(value.StringValue), 0)
  );
}

describe('SqsDeadLetterSink', () => {
  it('stores a body over SQS 1 MiB limit cut to fit beside its attributes, marked truncated=true', async () => {
    const body = `[{"id":"huge-1","type":"login.failed","pad":"${'a'.repeat(SQS_MAX_MESSAGE_BYTES)}"}]`;
    const letters = await stored({
      kind: 'rule-error',
      sourceMessageId: 'msg-huge',
      reason: '[0]: rule X failed in match(): boom',
      body,
    });
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    expect(attributesOf(letter)).toEqual({
      failure_kind: 'rule-error',
      failure_reason: '[0]: rule X failed in match(): boom',
      source_message_id: 'msg-huge',
      truncated: 'true',
    });
    // What is kept is the body's beginning (the event's id and type, for a person or a redrive to
    // recognise), as much of it as the message holds: within a few KiB of SQS's limit, never over it.
    const kept = letter?.Body ?? '';
    expect(kept.startsWith('[{"id":"huge-1","type":"login.failed","pad":"aaaa')).toBe(true);
    expect(body.startsWith(kept)).toBe(true);
    expect(messageBytes(letter)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    expect(Buffer.byteLength(kept)).toBeGreaterThan(SQS_MAX_MESSAGE_BYTES - 8192);
  });

  it('stores a body that fits whole, marked truncated=false', async () => {
    const body = `[{"id":"big-1","pad":"${'b'.repeat(1_000_000)}"}]`;
    const [letter, ...more] = await stored({
      kind: 'not-audit-events',
      sourceMessageId: 'msg-big',
      reason: '1 item(s) are not audit events: [0]: missing required field "type"',
      body,
    });
    expect(more).toEqual([]);
    expect(letter?.Body).toBe(body);
    expect(attributesOf(letter).truncated).toBe('false');
  });

  it('measures the room its attributes take: a reason that escapes to 6,000 bytes beside a cut body still fits', async () => {
    const reason = '\u202e'.repeat(1000); // printable() escapes each to 6 characters
    const [letter] = await stored({
      kind: 'rule-error',
      sourceMessageId: 'msg-bidi',
      reason,
      body: 'c'.repeat(SQS_MAX_MESSAGE_BYTES),
    });
    expect(attributesOf(letter)).toMatchObject({ failure_reason: '\\u202e'.repeat(1000), truncated: 'true' });
    expect(messageBytes(letter)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    expect(messageBytes(letter)).toBeGreaterThan(SQS_MAX_MESSAGE_BYTES - 8);
  });

  it('cuts between two characters, never inside one', async () => {
    // Two-byte characters after an offset of 0 and of 1 byte: whatever the attributes take, one of
    // the two cuts falls inside a character.
    for (const prefix of ['', 'a']) {
      const body = `${prefix}${'é'.repeat(SQS_MAX_MESSAGE_BYTES / 2)}`;
      const [letter] = await stored({ kind: 'retries-exhausted', sourceMessageId: 'msg-utf8', reason: 'r', body });
      const kept = letter?.Body ?? '';
      expect(kept).not.toContain('\ufffd');
      expect(body.startsWith(kept)).toBe(true);
      expect(attributesOf(letter).truncated).toBe('true');
      expect(messageBytes(letter)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
      expect(messageBytes(letter)).toBeGreaterThan(SQS_MAX_MESSAGE_BYTES - 4); // full, but for the character not split
    }
  });

  it('stores the characters SQS refuses: U+FFFE and U+FFFF as JSON escapes (same value), a lone surrogate as U+FFFD', async () => {
    const items = [{ id: 'x\uffff', note: '\ufffe' }];
    const [letter] = await stored({
      kind: 'not-audit-events',
      sourceMessageId: 'poller:org-acme:x\uffff',
      reason: 'r\uffff',
      body: JSON.stringify(items),
    });
    expect(JSON.parse(letter?.Body ?? '') as unknown).toEqual(items);
    expect(attributesOf(letter)).toMatchObject({
      source_message_id: 'poller:org-acme:x\\uffff',
      failure_reason: 'r\\uffff',
      truncated: 'false',
    });
    const [excerpt] = await stored({
      kind: 'unpackable-event',
      sourceMessageId: 'poller:org-acme:y',
      reason: 'r',
      body: '{"id":"y","name":"\ud83d',
    });
    expect(excerpt?.Body).toBe('{"id":"y","name":"\ufffd');
  });

  it('stores a control character SQS refuses, in a body that did not come through SQS, as U+FFFD', async () => {
    const [letter] = await stored({
      kind: 'malformed-body',
      sourceMessageId: 'local-1',
      reason: 'body is not JSON: syntax error at line 1, column 1',
      body: '\u0000{"id":\u0008"x"}\u001f\t\r\n',
    });
    expect(letter?.Body).toBe('\ufffd{"id":\ufffd"x"}\ufffd\t\r\n');
    expect(attributesOf(letter).truncated).toBe('false');
  });
});
