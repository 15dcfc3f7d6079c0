import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { inPollCursorNamespace, POLL_CURSOR_KEY } from '../../lib/ingestion/poller/cursor-key.ts';
import { LEASE_MARGIN_SECONDS, REPLAY_HORIZON_SECONDS } from '../../lib/pipeline/dedup/constants.ts';
import { pipelineSettings } from '../../lib/tooling/local/settings.ts';

const settingsModule = createRequire(import.meta.url)('../../infra/settings.cjs') as {
  ingestSettings: (params: Record<string, unknown>) => Record<string, unknown>;
  webhookSettings: (params: Record<string, unknown>) => Record<string, unknown>;
  deploymentSettings: (params: Record<string, unknown>) => {
    delivery: { destinations: { enabled: Record<string, boolean>; operators: string[] } };
    principals: { detectionQueueSenders: unknown[]; operators: unknown[] };
    archive: { retentionDays: number };
  };
  archiveSettings: (
    params: Record<string, unknown>,
    names?: { service?: string; stage?: string },
  ) => Record<string, unknown> & { retentionDays: number };
  QUEUE_SENDER_ROLES: readonly string[];
  DEDUP: { leaseMarginSeconds: number; replayHorizonSeconds: number };
  checkProtocolOrder(values: {
    detectTimeoutSeconds: number;
    visibilityTimeoutSeconds: number;
    deadLetterRetentionSeconds: number;
  }): void;
  tracingMode(value: unknown): string;
  checkParamNames: (given: readonly string[], known: readonly string[]) => void;
};
const { ingestSettings, webhookSettings, deploymentSettings, QUEUE_SENDER_ROLES } = settingsModule;

/** The smallest valid deployment: an email for alerts and one for the operations alarms. */
const MINIMAL = { alertEmail: 'soc@example.com', opsEmail: 'ops@example.com' };

describe('infra/settings.cjs', () => {
  it('refuses a deploy parameter the stack does not declare, naming the closest one when one is close', () => {
    const { checkParamNames } = settingsModule;
    const known = ['pollEnabled', 'alertEmail', 'rulesConfig'];
    expect(() =>
      checkParamNames(['alertEmail=a@example.com', 'pollEnabled=false', 'rulesConfig=a=b'], known),
    ).not.toThrow();
    expect(() => checkParamNames(['pollEnable=false'], known)).toThrow(
      'unknown deploy parameter "pollEnable"; did you mean "pollEnabled"? Every parameter is listed in docs/deploy.md.',
    );
    expect(() => checkParamNames(['ALERTEMAIL=x'], known)).toThrow('did you mean "alertEmail"?');
    expect(() => checkParamNames(['bogusParam=1'], known)).toThrow(
      /^unknown deploy parameter "bogusParam" Every parameter is listed in docs\/deploy\.md\.$/,
    );
    expect(() => checkParamNames(['pollEnabled'], known)).toThrow('--param="pollEnabled" is not name=value.');
    expect(() => checkParamNames(['=x'], known)).toThrow('--param="=x" is not name=value.');
  });

  it('derives the visibility timeout from the function timeout and the batching window', () => {
    const settings = pipelineSettings();
    expect(settings.queue.visibilityTimeoutSeconds).toBe(
      6 * settings.detect.timeoutSeconds + settings.detect.batchingWindowSeconds,
    );
    expect(pipelineSettings({ batchingWindowSeconds: 60 }).queue.visibilityTimeoutSeconds).toBe(6 * 30 + 60);
    expect(settings.delivery.queue.visibilityTimeoutSeconds).toBe(6 * settings.delivery.function.timeoutSeconds);
  });

  it('routes each destination from its minimum severity up, PagerDuty from HIGH and Slack from MEDIUM by default', () => {
    const { routes } = pipelineSettings().delivery;
    expect(routes.pagerDuty.filterPolicy).toEqual({ severity: ['HIGH', 'CRITICAL'] });
    expect(routes.slack.filterPolicy).toEqual({ severity: ['MEDIUM', 'HIGH', 'CRITICAL'] });
    expect(routes.webhook.filterPolicy).toEqual({ severity: ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] });
    expect(routes.email.filterPolicy).toEqual({ severity: ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] });
    expect(pipelineSettings({ pagerDutyMinSeverity: 'low' }).delivery.routes.pagerDuty.severities).toEqual([
      'LOW',
      'MEDIUM',
      'HIGH',
      'CRITICAL',
    ]);
  });

  it('routes by rule: a list to include, or a list to exclude', () => {
    expect(pipelineSettings({ slackRules: 'A.Rule, B.Rule' }).delivery.routes.slack.filterPolicy).toEqual({
      severity: ['MEDIUM', 'HIGH', 'CRITICAL'],
      rule_id: ['A.Rule', 'B.Rule'],
    });
    expect(pipelineSettings({ alertWebhookRules: '!Noisy.Rule' }).delivery.routes.webhook.filterPolicy.rule_id).toEqual(
      [{ 'anything-but': ['Noisy.Rule'] }],
    );
  });

  it("uses the dedup protocol's own lease margin and replay horizon", () => {
    expect(settingsModule.DEDUP).toEqual({
      leaseMarginSeconds: LEASE_MARGIN_SECONDS,
      replayHorizonSeconds: REPLAY_HORIZON_SECONDS,
    });
    const settings = pipelineSettings();
    expect(settings.detect.leaseSeconds).toBe(settings.detect.timeoutSeconds + LEASE_MARGIN_SECONDS);
    expect(settings.detect.leaseSeconds).toBeLessThan(settings.queue.visibilityTimeoutSeconds);
    expect(settings.deadLetterQueue.retentionSeconds).toBeLessThan(REPLAY_HORIZON_SECONDS);
  });

  it.each([
    [
      { detectTimeoutSeconds: 60, visibilityTimeoutSeconds: 65, deadLetterRetentionSeconds: 1 },
      "the function timeout (60s) plus the lease margin (5s) must be below the queue's visibility timeout (65s)",
    ],
    [
      { detectTimeoutSeconds: 30, visibilityTimeoutSeconds: 185, deadLetterRetentionSeconds: 15 * 86_400 },
      "the DLQ's retention (1296000s) must be below the dedup replay horizon (1296000s)",
    ],
  ])("refuses to package timeouts out of the protocol's order: %j", (values, message) => {
    expect(() => settingsModule.checkProtocolOrder(values)).toThrow(message);
    expect(() =>
      settingsModule.checkProtocolOrder({
        detectTimeoutSeconds: 30,
        visibilityTimeoutSeconds: 36,
        deadLetterRetentionSeconds: 14 * 86_400,
      }),
    ).not.toThrow();
  });

  it.each([
    [{ batchSize: 0 }, 'batchSize must be 1-10000'],
    [{ batchSize: 100, batchingWindowSeconds: 0 }, 'batchSize over 10 needs batchingWindowSeconds of at least 1'],
    [{ batchingWindowSeconds: 301 }, 'batchingWindowSeconds must be 0-300'],
    [{ pagerDutyMinSeverity: 'URGENT' }, 'pagerDutyMinSeverity must be one of INFO, LOW, MEDIUM, HIGH, CRITICAL'],
    [{ slackRules: 'A,!B' }, 'slackRules: list rule ids to include (A,B) or to exclude (!A,!B), not both'],
    [{ emailRules: 'bad rule' }, 'emailRules: "bad rule" is not a rule id'],
    [
      { alertWebhookRules: Array.from({ length: 31 }, (_, i) => `R${i}`).join(',') },
      'alertWebhookRules: 5 severities x 31 rules make 155 filter combinations; SNS allows 150',
    ],
  ])('rejects %j', (params, message) => {
    expect(() => pipelineSettings(params)).toThrow(message);
  });

  describe("rule configuration parameters, checked at package time with the function's own parsers", () => {
    const settingsModule = createRequire(import.meta.url)('../../infra/settings.cjs') as {
      checkRuleParams(params: Record<string, string>): void;
    };

    it('accepts empty values and valid JSON', () => {
      expect(() => settingsModule.checkRuleParams({ elevatedScopePolicy: '', rulesConfig: '' })).not.toThrow();
      expect(() =>
        settingsModule.checkRuleParams({
          elevatedScopePolicy:
            '{"includeDefaults": true, "elevatedScopes": [{"exact": "api.webhooks.write", "severity": "LOW"}]}',
          rulesConfig: '{"rules": {"OpenAI.SCIM.Configuration.Change": {"severity": "CRITICAL"}}}',
        }),
      ).not.toThrow();
      // A configuration may tune the detections of the rules folder packaged with it, only with it.
      const ownRule = '{"rules": {"Custom.OpenAI.SCIM.Disabled": {"severity": "CRITICAL"}}}';
      expect(() =>
        settingsModule.checkRuleParams({
          elevatedScopePolicy: '',
          rulesConfig: ownRule,
          rulesDir: 'test/fixtures/own-rules',
        }),
      ).not.toThrow();
      expect(() => settingsModule.checkRuleParams({ elevatedScopePolicy: '', rulesConfig: ownRule })).toThrow(
        /^rulesConfig: rules\["Custom\.OpenAI\.SCIM\.Disabled"\]: unknown rule id/,
      );
    });

    it.each([
      [
        { elevatedScopePolicy: '{"elevatedScopes": [{"exact": "a", "severity": "URGENT"}]}' },
        /^elevatedScopePolicy: elevatedScopes\[0\]\.severity: expected one of/,
      ],
      [{ elevatedScopePolicy: 'not json' }, /^elevatedScopePolicy: not valid JSON/],
      [
        { rulesConfig: '{"rules": {"OpenAI.Nope": {}}}' },
        /^rulesConfig: rules\["OpenAI\.Nope"\]: unknown rule id \(known: /,
      ],
      [
        { rulesConfig: '{"rules": {"OpenAI.Login.Failed": {"suppress": {"sourceCidrs": ["10.0.0.0/33"]}}}}' },
        /^rulesConfig: rules\["OpenAI\.Login\.Failed"\]\.suppress\.sourceCidrs\[0\]: prefix must be 0-32 for IPv4, got "33"$/,
      ],
      [
        { rulesDir: 'test/fixtures/no-such-folder' },
        /^rulesDir: rules folder "test\/fixtures\/no-such-folder": cannot read it: /,
      ],
      [
        { rulesDir: 'test/fixtures/panther' },
        /^rulesDir: test\/fixtures\/panther\/openai_api_key_anomalous_activity\.yml:\d+: /,
      ],
    ])('rejects %j with the parameter, the JSON path and the problem', (params, message) => {
      expect(() => settingsModule.checkRuleParams({ elevatedScopePolicy: '', rulesConfig: '', ...params })).toThrow(
        message,
      );
    });
  });
});

describe('infra/settings.cjs: tracing', () => {
  it('is PassThrough unless set to Active, and refuses anything else naming the parameter', () => {
    expect([undefined, '', 'PassThrough', 'Active'].map((value) => settingsModule.tracingMode(value))).toEqual([
      'PassThrough',
      'PassThrough',
      'PassThrough',
      'Active',
    ]);
    expect(() => settingsModule.tracingMode('true')).toThrow('tracing must be Active or PassThrough, got "true"');
  });
});

describe('infra/settings.cjs: the poller', () => {
  it('keeps one default organization, its key and cursor as before, when no list is given', () => {
    expect(ingestSettings({})).toMatchObject({
      organizations: [
        { id: 'default', name: '', adminKeyParameter: '/openai-audit-alerts/admin-key', cursorKey: 'ingest-cursor' },
      ],
      cursorKeys: ['ingest-cursor', 'ingest-cursor#@tenant'],
      overlapSeconds: 600,
      backfillHours: 24,
      tenantEvents: 'true',
    });
    expect(ingestSettings({ organizations: '', adminKeyParameter: '/x/key', pollTenantEvents: 'false' })).toMatchObject(
      {
        cursorKeys: ['ingest-cursor'],
        tenantEvents: 'false',
        organizationsJson: '[{"id":"default","name":"","adminKeyParameter":"/x/key"}]',
      },
    );
  });

  it("keeps every organization's cursor in the namespace the detect role is denied, the one the functions use", () => {
    const settings = ingestSettings({ organizations: '[{"id":"org-a"},{"id":"pending"},{"id":"1732428000"}]' });
    expect(settings.cursorKey).toBe(POLL_CURSOR_KEY);
    expect(settings.cursorKeyPatterns).toEqual([POLL_CURSOR_KEY, `${POLL_CURSOR_KEY}#*`]);
    const cursorKeys = settings.cursorKeys as string[];
    expect(cursorKeys).toEqual([
      'ingest-cursor#org-a',
      'ingest-cursor#org-a#@tenant',
      'ingest-cursor#pending',
      'ingest-cursor#pending#@tenant',
      'ingest-cursor#1732428000',
      'ingest-cursor#1732428000#@tenant',
    ]);
    expect(cursorKeys.filter((key) => !inPollCursorNamespace(key))).toEqual([]);
  });

  it.each([
    [{ organizations: '[{"id":"a"},{"id":"a"}]' }, 'organizations[1].id a is listed twice'],
    [{ organizations: '[{"id":"bad id"}]' }, 'organizations[0].id must be 1-64 letters'],
    [{ organizations: '[]x' }, 'organizations must be JSON'],
    [
      { organizations: '[{"id":"a","adminKeyParameter":"x"}]' },
      'organizations[0].adminKeyParameter must be a full SSM parameter name',
    ],
    [{ adminKeyParameter: 'relative' }, 'adminKeyParameter must be a full SSM parameter name starting with /'],
    [{ pollOverlapSeconds: 7200 }, 'pollOverlapSeconds must be 0-3600'],
    [{ pollBackfillHours: -1 }, 'pollBackfillHours must be 0-2160'],
    [{ pollTenantEvents: 'yes' }, 'pollTenantEvents must be true or false, got yes'],
    [{ openaiBaseUrl: 'http://api.openai.com/v1' }, 'openaiBaseUrl must be an https:// URL'],
  ])('rejects %j at package time', (params, message) => {
    expect(() => ingestSettings(params)).toThrow(message);
  });
});

describe('infra/settings.cjs: the webhook', () => {
  it('is off by default, throttled at 50 requests a second (burst 100), and names its role for the queue policy', () => {
    expect(webhookSettings({})).toMatchObject({
      enabled: 'false',
      bearerAuth: 'false',
      rateLimit: 50,
      burstLimit: 100,
      reservedConcurrency: 0,
      roleLogicalId: 'WebhookRole',
    });
    expect(webhookSettings({ webhookEnabled: 'true' }).reservedConcurrency).toBe(5);
    expect(QUEUE_SENDER_ROLES).toEqual(['PollRole', 'WebhookRole']);
  });

  it.each([
    [{ webhookEnabled: 'yes' }, 'webhookEnabled must be true or false'],
    [{ webhookRateLimit: 0 }, 'webhookRateLimit must be 1-10000'],
    [{ webhookBurstLimit: 1.5 }, 'webhookBurstLimit must be 1-5000'],
    [{ webhookEnabled: 'true', webhookReservedConcurrency: 0 }, 'webhookReservedConcurrency must be 1-1000'],
    [{ webhookSecretParameter: 'secret' }, 'webhookSecretParameter must be a full SSM parameter name'],
  ])('rejects %j at package time', (params, message) => {
    expect(() => webhookSettings(params)).toThrow(message);
  });
});

describe('infra/settings.cjs: the archive', () => {
  const { archiveSettings } = settingsModule;

  it('keeps events and alerts 400 days by default, query results 30 days at most, and names its Glue database and workgroup after the stage', () => {
    expect(archiveSettings({}, { service: 'openai-audit-alerts', stage: 'prod-eu' })).toMatchObject({
      retentionDays: 400,
      queryResultsDays: 30,
      noncurrentVersionDays: 30,
      prefixes: { events: 'events/', alerts: 'alerts/', queryResults: 'athena-results/' },
      database: 'openai_audit_alerts_prod_eu',
      workGroup: 'openai-audit-alerts-prod-eu',
    });
    expect(archiveSettings({ archiveRetentionDays: '90' })).toMatchObject({ retentionDays: 90, queryResultsDays: 30 });
    expect(archiveSettings({ archiveRetentionDays: 7 })).toMatchObject({ retentionDays: 7, queryResultsDays: 7 });
    expect(archiveSettings({ archiveRetentionDays: ' 3650 ' }).retentionDays).toBe(3650);
    expect(deploymentSettings(MINIMAL).archive.retentionDays).toBe(400);
  });

  it.each(['0', '-1', '1.5', '400d', 'abc', '', '1e3', '99999999999999999999'])(
    'refuses archiveRetentionDays=%j, naming the parameter',
    (value) => {
      expect(() => archiveSettings({ archiveRetentionDays: value })).toThrow(
        `archiveRetentionDays must be a positive whole number of days (S3 expires archived events and alerts after it), got ${JSON.stringify(value)}`,
      );
      expect(() => deploymentSettings({ ...MINIMAL, archiveRetentionDays: value })).toThrow(
        'archiveRetentionDays must be a positive whole number of days',
      );
    },
  );
});

describe('package-time checks of the destinations (infra/settings.cjs deploymentSettings)', () => {
  it('refuses a deploy with no alert destination, saying how to add one or opt out', () => {
    expect(() => deploymentSettings({ opsEmail: 'ops@example.com' })).toThrow(
      /no alert destination is configured[\s\S]*pagerDutyRoutingKeyParameter[\s\S]*acceptNoAlertDestination=true/,
    );
    expect(
      deploymentSettings({ opsEmail: 'ops@example.com', acceptNoAlertDestination: 'true' }).delivery.destinations
        .enabled,
    ).toMatchObject({ email: false, http: false });
  });

  it('refuses a deploy with nowhere for the operations alarms, saying how to add one or opt out', () => {
    expect(() => deploymentSettings({ alertEmail: 'soc@example.com' })).toThrow(
      /operations alarms[\s\S]*opsEmail=[\s\S]*opsPagerEndpoint=[\s\S]*acceptNoOpsDestination=true/,
    );
    expect(() =>
      deploymentSettings({
        alertEmail: 'soc@example.com',
        opsPagerEndpoint: 'https://events.pagerduty.com/integration/x/enqueue',
      }),
    ).not.toThrow();
    expect(() => deploymentSettings({ alertEmail: 'soc@example.com', acceptNoOpsDestination: true })).not.toThrow();
  });

  it.each([
    [
      { pagerDutyRoutingKeyParameter: 'R0123456789abcdef0123456789abcd0' },
      'pagerDutyRoutingKeyParameter must be the full name of an SSM parameter, starting with / (the parameter holds the secret',
    ],
    [
      { slackWebhookUrlParameter: 'https://hooks.slack.com/services/T/B/X' },
      'slackWebhookUrlParameter must be the full name of an SSM parameter',
    ],
    [
      { alertWebhookUrl: 'http://siem.example.com/hook', alertWebhookSecretParameter: '/s' },
      'alertWebhookUrl must be an https:// URL',
    ],
    [
      { alertWebhookUrl: 'https://siem.example.com/hook' },
      'alertWebhookUrl and alertWebhookSecretParameter go together',
    ],
    [{ opsPagerEndpoint: 'http://x' }, 'opsPagerEndpoint must be an https:// URL'],
    [{ operatorPrincipalArns: 'SecOps' }, 'operatorPrincipalArns: "SecOps" is not an IAM role or user ARN'],
    [{ acceptNoAlertDestination: 'yes' }, 'acceptNoAlertDestination must be true or false'],
    [{ pagerEndpoint: 'https://events.example.com/integration/abc' }, 'pagerEndpoint was replaced'],
    [{ runbookBaseUrl: 'http://wiki.example.com/' }, 'runbookBaseUrl must be an https:// URL'],
    [{ runbookBaseUrl: 'https://wiki.example.com/<x>' }, 'runbookBaseUrl must be an https:// URL'],
  ])('rejects %j with a message that names the parameter', (params, message) => {
    expect(() => deploymentSettings({ ...MINIMAL, ...params })).toThrow(message);
  });

  it('enables a destination by its SSM parameter or URL', () => {
    const { enabled } = deploymentSettings({
      ...MINIMAL,
      slackWebhookUrlParameter: '/oaa/slack',
      alertWebhookUrl: 'https://siem.example.com/h',
      alertWebhookSecretParameter: '/oaa/wh',
    }).delivery.destinations;
    expect(enabled).toEqual({ email: true, pagerDuty: false, slack: true, webhook: true, http: true });
  });

  it('lets the ingestion roles of QUEUE_SENDER_ROLES and the operators send audit events', () => {
    const { principals } = deploymentSettings({
      ...MINIMAL,
      operatorPrincipalArns: 'arn:aws:iam::123456789012:role/SecOps, arn:aws:iam::123456789012:user/alice',
    });
    expect(principals.detectionQueueSenders).toEqual([
      ...QUEUE_SENDER_ROLES.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
      'arn:aws:iam::123456789012:role/SecOps',
      'arn:aws:iam::123456789012:user/alice',
    ]);
    expect(principals.operators).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' },
      'arn:aws:iam::123456789012:role/SecOps',
      'arn:aws:iam::123456789012:user/alice',
    ]);
  });
});
