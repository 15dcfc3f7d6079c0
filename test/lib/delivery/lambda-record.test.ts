// A record of Lambda's SQS event as the delivery core takes it.
import { describe, expect, it } from 'vitest';
import { deliveryRecord } from '../../../lib/delivery/lambda-record.ts';

const record = {
  messageId: 'm-1',
  body: '{"alert":{}}',
  receiptHandle: 'rh-1',
  attributes: { ApproximateReceiveCount: '3' },
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:alerts-slack',
};

describe('deliveryRecord', () => {
  it('keeps the ids, the body and the queue, and reads the receive count', () => {
    expect(deliveryRecord(record)).toEqual({
      messageId: 'm-1',
      body: '{"alert":{}}',
      receiptHandle: 'rh-1',
      receiveCount: 3,
      eventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:alerts-slack',
    });
  });

  it('reads a missing or unreadable receive count as the first receive', () => {
    expect(deliveryRecord({ ...record, attributes: {} }).receiveCount).toBe(1);
    expect(deliveryRecord({ ...record, attributes: { ApproximateReceiveCount: 'x' } }).receiveCount).toBe(1);
  });
});
