import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { printable } from '../../util/printable.ts';
import type { DeadLetter, DeadLetterSink } from './dead-letter-sink.ts';

/** SQS's limit on a message, body and attributes together, in bytes (1 MiB since August 2025). */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/** Room kept for the attributes when deciding whether a body must be cut. */
const ATTRIBUTE_ALLOWANCE = 4096;

/**
 * {@link DeadLetterSink} on an SQS queue (the detection queue's DLQ). The body is kept as received;
 * kind, reason and source message id travel as message attributes. A body too large to fit beside
 * its attributes is cut, and says so in `truncated`.
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
    const limit = SQS_MAX_MESSAGE_BYTES - ATTRIBUTE_ALLOWANCE;
    const bytes = Buffer.from(letter.body, 'utf8');
    const truncated = bytes.length > limit;
    // Cutting bytes can split a character; the decoder replaces the partial one.
    const body = truncated ? bytes.subarray(0, limit).toString('utf8') : letter.body;
    const string = (value: string) => ({ DataType: 'String', StringValue: value });
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: body === '' ? '(empty body)' : body,
        MessageAttributes: {
          failure_kind: string(letter.kind),
          failure_reason: string(printable(letter.reason, 1000)),
          source_message_id: string(printable(letter.sourceMessageId)),
          truncated: string(String(truncated)),
        },
      }),
    );
  }
}
