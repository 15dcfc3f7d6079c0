import { describe, expect, it } from 'vitest';
import { describeError } from '../../../../lib/shared/describe-error.ts';
import { DedupContentionError } from '../../../../lib/pipeline/dedup/errors.ts';
import { WindowBusyError, isPermanentFailure } from '../../../../lib/pipeline/detect/errors.ts';
import { awsError, connectionReset } from '../../../reliability/harness/faults.ts';

describe('isPermanentFailure', () => {
  it.each([
    'ValidationException',
    'SerializationException',
    'InvalidParameterException',
    'InvalidParameterValueException',
  ])('calls %s permanent', (name) => {
    expect(isPermanentFailure(awsError(name))).toBe(true);
  });

  it.each([
    ['throttling', awsError('ThrottlingException')],
    ['a 5xx', awsError('InternalServerError', 500)],
    ['a KMS outage', awsError('KMSDisabledException')],
    ['a permission an operator can fix', awsError('AccessDeniedException')],
    ['a connection reset', connectionReset()],
    ['a busy window', new WindowBusyError('busy')],
    ['contention', new DedupContentionError('contended')],
    ['a thrown non-error named like a permanent one', { name: 'ValidationException' }],
  ])('calls %s transient', (_name, error) => {
    expect(isPermanentFailure(error)).toBe(false);
  });
});

describe('protocol errors', () => {
  it('name themselves in the reasons that reach logs and dead letters', () => {
    expect(describeError(new WindowBusyError('alert a is being published'))).toBe(
      'WindowBusyError: alert a is being published',
    );
    expect(describeError(new DedupContentionError('window w changed'))).toBe('DedupContentionError: window w changed');
  });
});
