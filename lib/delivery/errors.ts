/**
 * A destination's secret is not usable (a routing key of the wrong length, a Slack URL that is not
 * https, a signing secret that is not whsec_...); a secret that cannot be read at all is a
 * ConfigError of the parameter source. The message names the parameter, never its value. Transient from the
 * queue's point of view: the alert waits on its queue until the configuration is fixed.
 *
 * @example
 * ```ts
 * throw new DestinationSecretError('the SSM parameter /oaa/slack-webhook-url is empty');
 * ```
 */
export class DestinationSecretError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'DestinationSecretError';
  }
}
