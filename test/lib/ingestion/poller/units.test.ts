import { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/config/errors.ts';
import { readPollConfig } from '../../../../lib/config/poll-config.ts';
import { loadAdminKey } from '../../../../lib/ingestion/poller/admin-key.ts';
import { retryAfterMs } from '../../../../lib/ingestion/poller/audit-log-client.ts';
import { startFakeSsm } from '../../../support/fake-ssm.ts';

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs('0')).toBe(0);
    expect(retryAfterMs('Wed, 25 Nov 2026 00:00:10 GMT', Date.parse('2026-11-25T00:00:00Z'))).toBe(10_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('readPollConfig', () => {
  const base = { ADMIN_KEY_PARAMETER: '/x/admin-key', QUEUE_URL: 'https://sqs/q', DEAD_LETTER_QUEUE_URL: 'https://sqs/dlq', CURSOR_TABLE_NAME: 't' };
  it('applies defaults', () => {
    expect(readPollConfig(base)).toEqual({
      adminKeyParameter: '/x/admin-key', queueUrl: 'https://sqs/q', deadLetterQueueUrl: 'https://sqs/dlq', cursorTableName: 't', cursorKey: 'ingest-cursor',
      baseUrl: 'https://api.openai.com/v1', overlapSeconds: 600, backfillSeconds: 86_400, sliceSeconds: 3600,
    });
  });
  it.each([
    [{ ADMIN_KEY_PARAMETER: undefined }, 'ADMIN_KEY_PARAMETER is not set'],
    [{ QUEUE_URL: '' }, 'QUEUE_URL is not set'],
    [{ OVERLAP_SECONDS: '-1' }, 'OVERLAP_SECONDS must be an integer from 0 to 3600, got "-1"'],
    [{ OPENAI_BASE_URL: 'api.openai.com' }, 'OPENAI_BASE_URL is not a URL'],
  ])('rejects %j naming the variable', (overrides, message) => {
    expect(() => readPollConfig({ ...base, ...overrides })).toThrow(ConfigError);
    expect(() => readPollConfig({ ...base, ...overrides })).toThrow(message);
  });
});

describe('loadAdminKey', () => {
  it('reads the SecureString with decryption, and names the parameter (never the value) when it fails', async () => {
    const ssm = await startFakeSsm({ '/x/admin-key': 'sk-admin-VALUE0123456789abcdefghijkl\n' });
    try {
      const client = new SSMClient({ endpoint: ssm.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
      expect(await loadAdminKey(client, '/x/admin-key')).toBe('sk-admin-VALUE0123456789abcdefghijkl');
      expect(ssm.calls).toEqual(['AmazonSSM.GetParameter /x/admin-key true']);
      const error = await loadAdminKey(client, '/x/missing').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe("cannot read the admin key from the SSM parameter /x/missing (ParameterNotFound): create it as a SecureString, and check the function's permissions");
    } finally {
      await ssm.stop();
    }
  });
});
