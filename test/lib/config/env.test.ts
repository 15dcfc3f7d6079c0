// The environment readers every function's configuration is made of: what they return, and the
// message of each refusal (it names the variable and quotes the value, made printable).
import { describe, expect, it } from 'vitest';
import {
  isParameterName,
  optionalEnv,
  optionalIntegerEnv,
  optionalQueueUrlEnv,
  parameterNameEnv,
  queueUrlEnv,
} from '../../../lib/config/env.ts';
import { ConfigError } from '../../../lib/shared/config-error.ts';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/alerts';

describe('optionalEnv', () => {
  it('trims, and reads unset or blank as undefined', () => {
    expect(optionalEnv({ A: '  x ' }, 'A')).toBe('x');
    expect([optionalEnv({ A: ' ' }, 'A'), optionalEnv({}, 'A')]).toEqual([undefined, undefined]);
  });
});

describe('queue URLs', () => {
  it('accept a queue URL, optional ones also nothing', () => {
    expect(queueUrlEnv({ Q: ` ${QUEUE} ` }, 'Q')).toBe(QUEUE);
    expect(optionalQueueUrlEnv({ Q: QUEUE }, 'Q')).toBe(QUEUE);
    expect(optionalQueueUrlEnv({ Q: '' }, 'Q')).toBeUndefined();
  });

  it.each([
    [() => queueUrlEnv({}, 'DEAD_LETTER_QUEUE_URL'), 'DEAD_LETTER_QUEUE_URL is not set'],
    [() => queueUrlEnv({ Q: 'dlq' }, 'Q'), 'Q is not a queue URL: "dlq"'],
    [() => optionalQueueUrlEnv({ Q: 'https://host-only' }, 'Q'), 'Q is not a queue URL: "https://host-only"'],
    [() => optionalQueueUrlEnv({ Q: 'x\u001b' }, 'Q'), 'Q is not a queue URL: "x\\\\u001b"'],
  ])('refuse %#', (read, message) => {
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });
});

describe('SSM parameter names', () => {
  it('are full names starting with /', () => {
    expect(isParameterName('/openai-audit-alerts/org_1/admin.key')).toBe(true);
    expect([isParameterName('admin-key'), isParameterName('/a b'), isParameterName(3)]).toEqual([false, false, false]);
    expect(parameterNameEnv({ P: '/oaa/slack' }, 'P')).toBe('/oaa/slack');
  });

  it('are refused naming the variable and quoting the value', () => {
    expect(() => parameterNameEnv({ P: 'slack' }, 'P')).toThrow(
      'P must be a full SSM parameter name starting with /, got "slack"',
    );
    expect(() => parameterNameEnv({}, 'P')).toThrow('P is not set');
  });
});

describe('optionalIntegerEnv', () => {
  it('reads an integer within bounds, nothing as undefined', () => {
    expect(optionalIntegerEnv({ N: ' 7 ' }, 'N', 1, 10)).toBe(7);
    expect(optionalIntegerEnv({ N: '' }, 'N', 1, 10)).toBeUndefined();
    expect(() => optionalIntegerEnv({ N: '0' }, 'N', 1, 10)).toThrow('N must be an integer from 1 to 10, got "0"');
  });
});
