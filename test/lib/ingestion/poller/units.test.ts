import { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/shared/config-error.ts';
import { readPollConfig } from '../../../../lib/config/poll-config.ts';
import { httpsUrl } from '../../../../lib/config/https-url.ts';
import { SecureParameter } from '../../../../lib/ingestion/parameters/secure-parameter.ts';
import { SecureStringProvider } from '../../../../lib/ingestion/parameters/secure-string-provider.ts';
import { networkCause } from '../../../../lib/ingestion/poller/network-cause.ts';
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
  const base = {
    ADMIN_KEY_PARAMETER: '/x/admin-key',
    QUEUE_URL: 'https://sqs/q',
    DEAD_LETTER_QUEUE_URL: 'https://sqs/dlq',
    CURSOR_TABLE_NAME: 't',
  };
  it('applies defaults', () => {
    expect(readPollConfig(base)).toEqual({
      logLevel: 'INFO',
      organizations: [
        { organization: { id: 'default', name: '' }, adminKeyParameter: '/x/admin-key', cursorKey: 'ingest-cursor' },
      ],
      queueUrl: 'https://sqs/q',
      deadLetterQueueUrl: 'https://sqs/dlq',
      cursorTableName: 't',
      baseUrl: 'https://api.openai.com/v1',
      adminKeyMaxAgeSeconds: 300,
      overlapSeconds: 600,
      backfillSeconds: 86_400,
      sliceSeconds: 3600,
      streams: ['organization', 'tenant'],
    });
  });
  it('polls the tenant-scoped stream unless POLL_TENANT_EVENTS is false', () => {
    expect(readPollConfig({ ...base, POLL_TENANT_EVENTS: 'FALSE' }).streams).toEqual(['organization']);
    expect(readPollConfig({ ...base, POLL_TENANT_EVENTS: 'true' }).streams).toEqual(['organization', 'tenant']);
    expect(() => readPollConfig({ ...base, POLL_TENANT_EVENTS: 'no' })).toThrow(
      'POLL_TENANT_EVENTS must be true or false, got "no"',
    );
  });
  it('takes the log level of the logLevel deploy parameter', () => {
    expect(readPollConfig({ ...base, LOG_LEVEL: 'warn' }).logLevel).toBe('WARN');
  });
  it('lists several organizations, each with its key parameter and its own cursor key', () => {
    const organizations = JSON.stringify([
      { id: 'org-a', name: ' Acme ', adminKeyParameter: '/oaa/a' },
      { id: 'org-b' },
      { id: 'default', adminKeyParameter: '/oaa/d' },
    ]);
    expect(
      readPollConfig({ ...base, ADMIN_KEY_PARAMETER: undefined, ORGANIZATIONS: organizations }).organizations,
    ).toEqual([
      { organization: { id: 'org-a', name: 'Acme' }, adminKeyParameter: '/oaa/a', cursorKey: 'ingest-cursor#org-a' },
      {
        organization: { id: 'org-b', name: '' },
        adminKeyParameter: '/openai-audit-alerts/org-b/admin-key',
        cursorKey: 'ingest-cursor#org-b',
      },
      { organization: { id: 'default', name: '' }, adminKeyParameter: '/oaa/d', cursorKey: 'ingest-cursor' },
    ]);
    expect(readPollConfig({ ...base, ORGANIZATIONS: '[]' }).organizations).toHaveLength(1);
  });

  it.each([
    [{ ORGANIZATIONS: '{' }, 'ORGANIZATIONS is not JSON'],
    [{ ORGANIZATIONS: '{"id":"a"}' }, 'ORGANIZATIONS must be a JSON array of 1 to 20 organizations'],
    [{ ORGANIZATIONS: '[{"id":"a b"}]' }, 'ORGANIZATIONS[0].id must be 1-64 letters, digits'],
    [{ ORGANIZATIONS: '[{"id":"a"},{"id":"a"}]' }, 'ORGANIZATIONS[1].id "a" is listed twice'],
    [
      { ORGANIZATIONS: '[{"id":"a","adminKeyParameter":"relative"}]' },
      'ORGANIZATIONS[0].adminKeyParameter must be a full SSM parameter name starting with /',
    ],
  ])('rejects organizations %j', (overrides, message) => {
    expect(() => readPollConfig({ ...base, ...overrides })).toThrow(message);
  });

  it.each([
    [{ ADMIN_KEY_PARAMETER: undefined }, 'ADMIN_KEY_PARAMETER is not set'],
    [{ QUEUE_URL: '' }, 'QUEUE_URL is not set'],
    [{ OVERLAP_SECONDS: '-1' }, 'OVERLAP_SECONDS must be an integer from 0 to 3600, got "-1"'],
    [{ OPENAI_BASE_URL: 'api.openai.com' }, 'OPENAI_BASE_URL is not a URL'],
    [{ OPENAI_BASE_URL: 'http://api.openai.com/v1' }, 'OPENAI_BASE_URL must use https://'],
    [{ LOG_LEVEL: 'chatty' }, 'LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, got "CHATTY"'],
  ])('rejects %j naming the variable', (overrides, message) => {
    expect(() => readPollConfig({ ...base, ...overrides })).toThrow(ConfigError);
    expect(() => readPollConfig({ ...base, ...overrides })).toThrow(message);
  });
});

describe('SecureParameter (Powertools Parameters)', () => {
  const client = (endpoint: string) =>
    new SSMClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });

  it('reads the SecureString with decryption, caches it for its max age, and reads again when asked to refresh', async () => {
    const ssm = await startFakeSsm({ '/x/admin-key': 'sk-admin-VALUE0123456789abcdefghijkl\n' });
    try {
      let now = 0;
      const key = new SecureParameter(
        new SecureStringProvider({ awsSdkV3Client: client(ssm.endpoint) }),
        '/x/admin-key',
        {
          maxAgeSeconds: 300,
          what: 'the admin key',
          minRefreshIntervalMs: 10_000,
          now: () => now,
        },
      );
      expect(await key.get()).toBe('sk-admin-VALUE0123456789abcdefghijkl');
      expect(await key.get()).toBe('sk-admin-VALUE0123456789abcdefghijkl');
      expect(ssm.calls).toEqual(['AmazonSSM.GetParameter /x/admin-key true']);
      ssm.parameters['/x/admin-key'] = 'sk-admin-ROTATED0123456789abcdefghij';
      expect(await key.get()).toBe('sk-admin-VALUE0123456789abcdefghijkl'); // cached
      expect(await key.get({ refresh: true })).toBe('sk-admin-ROTATED0123456789abcdefghij');
      ssm.parameters['/x/admin-key'] = 'sk-admin-AGAIN0123456789abcdefghijkl';
      now = 5_000; // a second refresh within 10 s is served from the cache
      expect(await key.get({ refresh: true })).toBe('sk-admin-ROTATED0123456789abcdefghij');
      expect(ssm.calls).toHaveLength(2);
    } finally {
      await ssm.stop();
    }
  });

  it('refuses a String parameter, and names a missing one (never a value)', async () => {
    const ssm = await startFakeSsm({ '/x/plain': { value: 'sk-admin-PLAIN0123456789abcdefghijkl', type: 'String' } });
    try {
      const provider = new SecureStringProvider({ awsSdkV3Client: client(ssm.endpoint) });
      const plain = await new SecureParameter(provider, '/x/plain', { maxAgeSeconds: 5, what: 'the admin key' })
        .get()
        .catch((e: unknown) => e);
      expect(plain).toBeInstanceOf(ConfigError);
      expect((plain as Error).message).toBe(
        'the SSM parameter /x/plain is a String, not a SecureString: recreate it with --type SecureString (docs/ingestion.md)',
      );
      const missing = await new SecureParameter(provider, '/x/missing', { maxAgeSeconds: 5, what: 'the admin key' })
        .get()
        .catch((e: unknown) => e);
      expect((missing as Error).message).toBe(
        "cannot read the admin key from the SSM parameter /x/missing (ParameterNotFound): create it as a SecureString, and check the function's permissions",
      );
      expect(`${String(plain)} ${String(missing)}`).not.toContain('PLAIN0123');
    } finally {
      await ssm.stop();
    }
  });
});

describe('httpsUrl', () => {
  it('accepts https anywhere and plain http to 127.0.0.1 only', () => {
    expect(httpsUrl('https://api.openai.com/v1/', 'OPENAI_BASE_URL')).toBe('https://api.openai.com/v1');
    expect(httpsUrl('http://127.0.0.1:8080/v1', 'OPENAI_BASE_URL')).toBe('http://127.0.0.1:8080/v1');
  });

  it.each([
    [
      'http://api.openai.com/v1',
      'OPENAI_BASE_URL must use https:// (plain http:// only to 127.0.0.1, for tests), got "http://api.openai.com/v1"',
    ],
    ['http://localhost:8080/v1', 'OPENAI_BASE_URL must use https://'],
    ['http://127.0.0.1.evil.example/v1', 'OPENAI_BASE_URL must use https://'],
    ['https://user:pw@api.openai.com/v1', 'OPENAI_BASE_URL must not carry a user or password'],
    ['api.openai.com', 'OPENAI_BASE_URL is not a URL'],
  ])('rejects %s', (url, message) => {
    expect(() => httpsUrl(url, 'OPENAI_BASE_URL')).toThrow(message);
  });
});

describe('networkCause', () => {
  const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });
  it.each([
    [
      fetchFailed(
        Object.assign(new Error('getaddrinfo ENOTFOUND api.openai.com'), {
          code: 'ENOTFOUND',
          hostname: 'api.openai.com',
        }),
      ),
      'DNS lookup failed (no such host) for api.openai.com (ENOTFOUND)',
    ],
    [
      fetchFailed(
        new AggregateError([
          Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
            code: 'ECONNREFUSED',
            address: '127.0.0.1',
            port: 9,
          }),
        ]),
      ),
      'connection refused to 127.0.0.1:9 (ECONNREFUSED)',
    ],
    [
      fetchFailed(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' })),
      'TLS: the server certificate has expired (CERT_HAS_EXPIRED)',
    ],
    [fetchFailed(Object.assign(new Error('odd'), { code: 'E_ODD' })), 'odd (E_ODD)'],
    [fetchFailed(new Error('other socket trouble')), 'other socket trouble'],
    [new TypeError('fetch failed'), 'fetch failed'],
  ])('says what failed: %#', (error, cause) => {
    expect(networkCause(error)).toBe(cause);
  });
});
