// An alert publisher and a dead-letter sink that keep what they are given, with faults a test
// arranges, for the batch logic's unit tests.
import type { AlertDocument } from '../../../lib/pipeline/alerts/alert-document.ts';
import type { AlertPublisher } from '../../../lib/pipeline/publish/alert-publisher.ts';
import type { DeadLetter, DeadLetterSink } from '../../../lib/shared/dead-letter-sink.ts';
import { answerLater } from './answer-later.ts';

/**
 * An {@link AlertPublisher} that keeps every alert it published.
 *
 * @example
 * ```ts
 * const publisher = new RecordingPublisher();
 * publisher.failNext(new Error('SNS is down'));
 * ```
 */
export class RecordingPublisher implements AlertPublisher {
  readonly published: AlertDocument[] = [];
  readonly #faults: unknown[] = [];

  /** The next `times` publishes throw `error`. */
  public failNext(error: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.#faults.push(error);
  }

  public async publish(alert: AlertDocument): Promise<void> {
    await answerLater();
    if (this.#faults.length > 0) throw this.#faults.shift();
    this.published.push(alert);
  }
}

/**
 * A {@link DeadLetterSink} that keeps every letter it got.
 *
 * @example
 * ```ts
 * const letters = new RecordingDeadLetters();
 * ```
 */
export class RecordingDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  readonly #faults: unknown[] = [];

  /** The next send throws `error`. */
  public failNext(error: unknown): void {
    this.#faults.push(error);
  }

  public async send(letter: DeadLetter): Promise<void> {
    await answerLater();
    if (this.#faults.length > 0) throw this.#faults.shift();
    this.letters.push(letter);
  }
}
