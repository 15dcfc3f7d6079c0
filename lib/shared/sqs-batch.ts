/** The part of an SQS record a batch handler needs. */
export interface QueueRecord {
  readonly messageId: string;
  readonly body: string;
  /**
   * SQS system attributes as Lambda passes them: `ApproximateReceiveCount` tells the last attempt;
   * `SentTimestamp` (epoch milliseconds) is when the message was sent, the same on every receive.
   */
  readonly attributes?: { readonly ApproximateReceiveCount?: string; readonly SentTimestamp?: string };
}

/** Lambda's partial batch response: the records SQS must deliver again. */
export interface BatchResult {
  readonly batchItemFailures: Array<{ itemIdentifier: string }>;
}
