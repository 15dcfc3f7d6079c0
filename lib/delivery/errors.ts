/**
 * A destination's secret could not be read or is not usable (a missing SSM parameter, a routing key
 * of the wrong length...). The message names the parameter, never its value. Transient from the
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
