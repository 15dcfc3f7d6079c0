import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertDocument } from '../alerts/alert-document.ts';
import { FALLBACK_SUBJECT } from '../alerts/constants.ts';
import { buildSnsAlertMessage } from '../alerts/sns-message.ts';
import type { AlertPublisher } from './alert-publisher.ts';

/**
 * {@link AlertPublisher} on an SNS standard topic (FIFO topics cannot deliver to email or HTTPS).
 * If SNS rejects the request as `InvalidParameter` (its answer to a subject it does not accept),
 * the alert is sent once more with a fixed subject rather than lost.
 *
 * @example
 * ```ts
 * const publisher = new SnsAlertPublisher(new SNSClient({}), process.env.ALERT_TOPIC_ARN);
 * ```
 */
export class SnsAlertPublisher implements AlertPublisher {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  public constructor(client: SNSClient, topicArn: string) {
    this.#client = client;
    this.#topicArn = topicArn;
  }

  public async publish(alert: AlertDocument): Promise<void> {
    const message = buildSnsAlertMessage(alert);
    try {
      await this.#client.send(new PublishCommand({ TopicArn: this.#topicArn, ...message }));
    } catch (error) {
      if (
        !(error instanceof Error && error.name === 'InvalidParameterException') ||
        message.Subject === FALLBACK_SUBJECT
      )
        throw error;
      await this.#client.send(new PublishCommand({ TopicArn: this.#topicArn, ...message, Subject: FALLBACK_SUBJECT }));
    }
  }
}
