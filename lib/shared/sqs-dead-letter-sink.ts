import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { printable } from './printable.ts';
import type { DeadLetter, DeadLetterSink } from './dead-letter-sink.ts';

/** SQS's limit on a message, body and attributes together, in bytes (1 MiB since August 2025). */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/**
 * Characters SQS refuses in a message (it accepts #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD,
 * #x10000-#x10FFFF): the noncharacters U+FFFE and U+FFFF, which `JSON.stringify` leaves as they
 * are, lone surrogates (a cut through a pair), and the other control characters, which neither a
 * body received from SQS nor `JSON.stringify` holds raw, but a record that did not come through SQS
 * might: one would make the letter, and so its record, fail on every attempt.
 */
const REFUSED_BY_SQS =
  // eslint-disable-next-line no-control-regex -- matching the control characters SQS refuses is the point.
  /[\ufffe\uffff\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text SQS accepts: U+FFFE and U+FFFF as their JSON escapes (inside a JSON string, where
 * `JSON.stringify` puts them, the same value), a lone surrogate or a control character as U+FFFD
 * (JSON never holds one raw: only a malformed body changes).
 */
function accepted(text: string): string {
  return text.replace(REFUSED_BY_SQS, (ch) =>
    ch === '\ufffe' || ch === '\uffff' ? `\\u${ch.charCodeAt(0).toString(16)}` : '\ufffd',
  );
}

/** A message attribute's size as SQS counts it: its name, data type and value, in UTF-8 bytes. */
function attributeBytes(attributes: Record<string, MessageAttributeValue>): number {
  return Object.entries(attributes).reduce(
    (sum, [name, value]) =>
      sum +
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? ''),
    0,
  );
}

/** The first `limit` bytes of a UTF-8 text, never splitting a character. */
function utf8Prefix(bytes: Buffer, limit: number): string {
  let end = limit;
  // A continuation byte (10xxxxxx) at the cut belongs to a character that started before it.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * {@link DeadLetterSink} on an SQS queue (the detection queue's DLQ). The body is kept as received
 * (but for characters SQS refuses, see {@link accepted}); kind, reason and source message id
 * travel as message attributes. A body too large to fit beside its attributes in
 * {@link SQS_MAX_MESSAGE_BYTES} is cut, on a character boundary, and says so in `truncated`.
 *
 * @example
 * ```ts
 * const sink = new SqsDeadLetterSink(new SQSClient({}), process.env.DEAD_LETTER_QUEUE_URL);
 * ```
 */
export class SqsDeadLetterSink implements DeadLetterSink {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  public constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  public async send(letter: DeadLetter): Promise<void> {
    // Attribute values obey the same character rules as the body (an event id can hold U+FFFF).
    const string = (value: string) => ({ DataType: 'String', StringValue: accepted(value) });
    const attributes = {
      failure_kind: string(letter.kind),
      failure_reason: string(printable(letter.reason, 1000)),
      source_message_id: string(printable(letter.sourceMessageId)),
    };
    // Measured with `truncated: 'false'`, its longer value. Escaped, a reason of 1000 characters can
    // take 6000 bytes: the room is measured, not assumed.
    const limit = SQS_MAX_MESSAGE_BYTES - attributeBytes({ ...attributes, truncated: string('false') });
    const text = accepted(letter.body);
    const bytes = Buffer.from(text, 'utf8');
    const truncated = bytes.length > limit;
    const body = truncated ? utf8Prefix(bytes, limit) : text;
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: body === '' ? '(empty body)' : body,
        MessageAttributes: { ...attributes, truncated: string(String(truncated)) },
      }),
    );
  }
}
