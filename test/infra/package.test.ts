/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment --
   the assertions walk CloudFormation JSON, which has no static type */
// `npm run package` offline, with no AWS credentials: the bundle, the CloudFormation template it
// writes, the template's validation with @aws/cloudformation-validate, and what it must contain.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ALERT_ARCHIVE_DESTINATION } from '../../lib/delivery/archive-alerts.ts';
import { DESTINATION_NAMES } from '../../lib/delivery/destination.ts';
import { RegoEngine, TemplateFile } from '@aws/cloudformation-validate';
import type { Context, SQSEvent } from 'aws-lambda';
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readDetectConfig } from '../../lib/config/detect-config.ts';
import { envelopeOpening } from '../../lib/ingestion/packing/envelope.ts';
import { POLL_CURSOR_KEY } from '../../lib/ingestion/poller/cursor-key.ts';
import { pendingRegisterKey, windowKey } from '../../lib/pipeline/dedup/dedup-item.ts';
import { createDetectionHandler } from '../../lib/pipeline/detect/create-handler.ts';
import { createPipelineResources, pollOnce, receivedAlerts, sendBodies } from '../support/aws-resources.ts';
import { body, keyEvent } from '../integration/events.ts';
import { eagerOutputs } from '../../scripts/build/eager-outputs.ts';
import { arnOf, decide, decideForRole, resolve, type Caller } from '../support/policy-evaluator.ts';
import { recordingTelemetry } from '../support/recording-telemetry.ts';

const root = join(import.meta.dirname, '../..');
type Json = Record<string, any>;

/** The packaging environment: no credentials, no profile, an empty home, telemetry off. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: mkdtempSync(join(tmpdir(), 'home-')),
    SLS_TELEMETRY_DISABLED: '1',
    CI: '1',
  };
  return env;
}

function attempt(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: root, env: offlineEnv(), encoding: 'utf8' });
}

function run(command: string, args: string[]): void {
  const result = attempt(command, args);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

const TEMPLATE = 'cloudformation-template-update-stack.json';
const RULES_CONFIG = JSON.stringify({
  rules: {
    'OpenAI.Login.Failed': { suppress: { sourceCidrs: ['10.0.0.0/8'] } },
    // A detection of the rules folder below: the configuration may tune it.
    'Custom.OpenAI.SCIM.Disabled': { severity: 'CRITICAL' },
  },
});
let template: Json;
let withParams: Json;
const paramsDir = join(root, '.serverless-params');
const OPERATOR = 'arn:aws:iam::123456789012:role/SecurityOperations';
/** The smallest deploy that packages: no destination, explicitly. */
const OPT_OUT = ['--param=acceptNoAlertDestination=true', '--param=acceptNoOpsDestination=true'];
/** Every destination, routing and operator parameter set. */
const EXPLICIT = [
  '--param=alertEmail=soc@example.com',
  '--param=emailMinSeverity=LOW',
  '--param=opsEmail=platform@example.com',
  '--param=opsPagerEndpoint=https://events.pagerduty.com/integration/abc/enqueue',
  '--param=pagerDutyRoutingKeyParameter=/openai-audit-alerts/pagerduty-routing-key',
  '--param=pagerDutyMinSeverity=CRITICAL',
  '--param=slackWebhookUrlParameter=/openai-audit-alerts/slack-webhook-url',
  '--param=slackRules=OpenAI.API.Key.Anomalous.Activity',
  '--param=alertWebhookUrl=https://siem.example.com/hooks/openai',
  '--param=alertWebhookSecretParameter=/openai-audit-alerts/alert-webhook-secret',
  '--param=alertWebhookRules=!Some.Noisy.Rule',
  `--param=operatorPrincipalArns=${OPERATOR}`,
  '--param=batchingWindowSeconds=20',
  '--param=batchSize=100',
  '--param=organizations=[{"id":"org-acme","name":"Acme","adminKeyParameter":"/oaa/acme"},{"id":"org-globex"}]',
  '--param=webhookEnabled=true',
  '--param=webhookRateLimit=5',
  '--param=webhookBurstLimit=10',
  '--param=webhookReservedConcurrency=3',
  `--param=rulesConfig=${RULES_CONFIG}`,
  '--param=rulesDir=test/fixtures/own-rules',
  '--param=logLevel=DEBUG',
  '--param=tracing=Active',
  '--param=runbookBaseUrl=https://wiki.example.com/runbooks/{ruleId}',
  '--param=archiveRetentionDays=90',
];

beforeAll(() => {
  // The framework empties .serverless/ whenever it packages, wherever the output goes: package with
  // explicit parameters first, then the minimal package of `npm run package`.
  run('npx', ['tsx', 'scripts/build.ts']);
  run('npx', ['osls', 'package', '--stage', 'prod', '--package', paramsDir, ...EXPLICIT]);
  withParams = JSON.parse(readFileSync(join(paramsDir, TEMPLATE), 'utf8')) as Json;
  run('npm', ['run', 'package', '--', ...OPT_OUT]);
  template = JSON.parse(readFileSync(join(root, '.serverless', TEMPLATE), 'utf8')) as Json;
});

const resources = (t: Json, type: string): Array<[string, Json]> =>
  Object.entries(t.Resources as Json).filter(([, r]) => (r as Json).Type === type) as Array<[string, Json]>;
const resource = (t: Json, id: string): Json => (t.Resources as Json)[id] as Json;

describe('the tracing parameter', () => {
  it('leaves X-Ray off by default, and with tracing=Active traces every function, with the permission to send its segments', () => {
    const modes = (t: Json) =>
      resources(t, 'AWS::Lambda::Function').map(([, fn]) => fn.Properties.TracingConfig?.Mode as unknown);
    expect(new Set(modes(template))).toEqual(new Set(['PassThrough']));
    expect(template.Parameters.Tracing.Default).toBe('PassThrough');
    expect(new Set(modes(withParams))).toEqual(new Set(['Active']));
    expect(withParams.Parameters.Tracing.Default).toBe('Active');
    const policy = resource(withParams, 'TracingPolicy');
    expect(policy.Condition).toBe('TracingActive');
    expect(withParams.Conditions.TracingActive).toEqual({ 'Fn::Equals': [{ Ref: 'Tracing' }, 'Active'] });
    expect(policy.Properties.Roles).toEqual(
      ['DetectRole', 'PollRole', 'WebhookRole', 'DeliverRole'].map((id) => ({ Ref: id })),
    );
  });
});

describe('the logLevel parameter', () => {
  it('reaches every function of the stack', () => {
    const levels = resources(withParams, 'AWS::Lambda::Function').map(([id, fn]) => [
      id,
      fn.Properties.Environment?.Variables?.LOG_LEVEL as unknown,
    ]);
    expect(levels.length).toBeGreaterThanOrEqual(4);
    expect(levels.filter(([, level]) => level !== 'DEBUG')).toEqual([]);
  });
});

// Informational findings that are explained in docs/deploy.md ("Template validation"); any
// warning or error fails the test.
const EXPLAINED_INFO = new Set(['I9001', 'I9040', 'I1022', 'I3011']);

describe('npm run package', () => {
  it('refuses to package a deploy whose alerts would go nowhere, saying how to add a destination', () => {
    const result = attempt('npx', [
      'osls',
      'package',
      '--stage',
      'nowhere',
      '--package',
      join(root, '.serverless-refused'),
    ]);
    expect(result.status).not.toBe(0);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('no alert destination is configured, so alerts would reach nobody');
    expect(output).toContain('--param="pagerDutyRoutingKeyParameter=');
    expect(output).toContain('--param="acceptNoAlertDestination=true"');
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('refuses an unknown deploy parameter with one clean message naming the closest, and no stack trace', () => {
    const result = attempt('npx', [
      'osls',
      'package',
      '--stage',
      'typo',
      '--package',
      join(root, '.serverless-refused'),
      ...OPT_OUT,
      '--param=pollEnable=false',
    ]);
    expect(result.status).not.toBe(0);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('unknown deploy parameter "pollEnable"; did you mean "pollEnabled"?');
    expect(output).not.toMatch(/^\s+at /m);
  });

  it.each(['detect', 'poll', 'webhook', 'deliver'])('writes a zip holding only the %s bundle', (name) => {
    expect(existsSync(join(root, `.serverless/${name}.zip`))).toBe(true);
    const listing = spawnSync('unzip', ['-Z1', join(root, `.serverless/${name}.zip`)], { encoding: 'utf8' });
    const files = listing.stdout.trim().split('\n');
    expect(files).toContain(`dist/${name}/index.mjs`);
    expect(files.every((file) => new RegExp(`^dist/${name}/[^/]+\\.mjs(\\.map)?$`).test(file))).toBe(true);
  });

  it.each([
    ['default parameters', '.serverless'],
    ['explicit parameters', '.serverless-params'],
  ])('validates with no errors and no warnings (%s)', (_name, dir) => {
    const engine = new RegoEngine();
    try {
      const report = engine.validateStandard(new TemplateFile(join(root, dir, TEMPLATE)));
      const findings = report.diagnostics.map(
        (d) => `${d.severity} ${d.ruleId} ${d.entity?.logicalId ?? ''}: ${d.message}`,
      );
      expect(findings.filter((f) => !f.startsWith('INFO'))).toEqual([]);
      const info = new Set(report.diagnostics.filter((d) => d.severity === 'INFO').map((d) => d.ruleId));
      expect([...info].filter((id) => !EXPLAINED_INFO.has(id))).toEqual([]);
    } finally {
      engine.free();
    }
  });

  it('runs the detect function on Node 22 or newer, arm64, with its own role', () => {
    const fn = resource(template, 'DetectLambdaFunction').Properties as Json;
    expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Runtime as string)?.[1])).toBeGreaterThanOrEqual(22);
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Handler).toBe('dist/detect/index.handler');
    expect(fn.Role).toEqual({ 'Fn::Sub': '${DetectRole.Arn}' });
    expect(fn.Environment.Variables).toMatchObject({
      DEDUP_TABLE_NAME: { Ref: 'DedupTable' },
      ALERT_TOPIC_ARN: { Ref: 'AlertTopic' },
      DEAD_LETTER_QUEUE_URL: { Ref: 'DetectionDeadLetterQueue' },
    });
    expect(
      resources(template, 'AWS::IAM::Role')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['DeliverRole', 'DetectRole', 'PollRole', 'WebhookRole']);
  });

  it('passes the rules configuration parameter to the detect function (checked when packaging)', () => {
    const fn = resource(withParams, 'DetectLambdaFunction').Properties as Json;
    expect(fn.Environment.Variables.RULES_CONFIG).toBe(RULES_CONFIG);
    expect(resource(template, 'DetectLambdaFunction').Properties.Environment.Variables.RULES_CONFIG).toBe('');
  });

  it('packages the rulesDir folder’s detections into the detect function, which reads them from RULES_DIR', () => {
    const fn = resource(withParams, 'DetectLambdaFunction').Properties as Json;
    expect(fn.Environment.Variables.RULES_DIR).toBe('dist/detect/rules');
    expect(resource(template, 'DetectLambdaFunction').Properties.Environment.Variables.RULES_DIR).toBe('');
    const listing = spawnSync('unzip', ['-Z1', join(paramsDir, 'detect.zip')], { encoding: 'utf8' });
    const files = listing.stdout.trim().split('\n');
    expect(files.filter((file) => file.startsWith('dist/detect/rules/')).sort()).toEqual([
      'dist/detect/rules/brute-force-then-login.yml',
      'dist/detect/rules/identity/scim-disabled.yml',
    ]);
  });

  it('polls the audit log on the schedule parameter, one run at a time, with its own role', () => {
    const fn = resource(template, 'PollLambdaFunction').Properties as Json;
    expect(fn).toMatchObject({
      Handler: 'dist/poll/index.handler',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      Role: { 'Fn::Sub': '${PollRole.Arn}' },
    });
    expect(fn.Environment.Variables).toMatchObject({
      ORGANIZATIONS: '[{"id":"default","name":"","adminKeyParameter":"/openai-audit-alerts/admin-key"}]',
      QUEUE_URL: { Ref: 'DetectionQueue' },
      DEAD_LETTER_QUEUE_URL: { Ref: 'DetectionDeadLetterQueue' },
      CURSOR_TABLE_NAME: { Ref: 'DedupTable' },
      CURSOR_KEY: 'ingest-cursor',
      POLL_TENANT_EVENTS: 'true',
    });
    const [[, rule]] = resources(template, 'AWS::Events::Rule') as [[string, Json]];
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
  });

  it('serves the webhook through an HTTP API only when enabled, throttled by the deploy parameters', () => {
    expect(template.Parameters.EnableWebhook.Default).toBe('false');
    expect(withParams.Parameters.EnableWebhook.Default).toBe('true');
    for (const id of [
      'WebhookHttpApi',
      'WebhookIntegration',
      'WebhookRoute',
      'WebhookStage',
      'WebhookInvokePermission',
      'WebhookAccessLogGroup',
    ]) {
      expect(resource(template, id).Condition, id).toBe('WebhookEnabled');
    }
    expect(resource(withParams, 'WebhookRoute').Properties.RouteKey).toBe('POST /v1/audit-events');
    expect(resource(withParams, 'WebhookIntegration').Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    expect(resource(template, 'WebhookStage').Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 100,
    });
    expect(resource(withParams, 'WebhookStage').Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 10,
    });
    expect(resource(withParams, 'WebhookLambdaFunction').Properties).toMatchObject({
      ReservedConcurrentExecutions: 3,
      Role: { 'Fn::Sub': '${WebhookRole.Arn}' },
    });
    expect(resource(template, 'WebhookLambdaFunction').Properties.ReservedConcurrentExecutions).toBe(0); // off: cannot run at all
    expect(resource(template, 'WebhookLambdaFunction').Properties.Environment.Variables).toMatchObject({
      QUEUE_URL: { Ref: 'DetectionQueue' },
      WEBHOOK_SECRET_PARAMETER: '/openai-audit-alerts/webhook-secret',
      WEBHOOK_DELIVERIES_TABLE: { Ref: 'WebhookDeliveriesTable' },
      WEBHOOK_BEARER_AUTH: 'false',
    });
    expect(resource(template, 'WebhookDeliveriesTable').Properties).toMatchObject({
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(template.Outputs.WebhookUrl.Condition).toBe('WebhookEnabled');
  });

  it('consumes the queue with partial batch responses and the configured batching', () => {
    const mapping = resource(template, 'DetectEventSourceMappingSQSDetectionQueue');
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['DetectionQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
    });
    expect(resource(withParams, 'DetectEventSourceMappingSQSDetectionQueue').Properties).toMatchObject({
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 20,
    });
  });

  it.each([
    ['default parameters', () => template],
    ['explicit parameters', () => withParams],
  ])('keeps the visibility timeout at least 6x the function timeout plus the batching window (%s)', (_name, get) => {
    const t = get();
    const timeout = Number(resource(t, 'DetectLambdaFunction').Properties.Timeout);
    const window = Number(
      resource(t, 'DetectEventSourceMappingSQSDetectionQueue').Properties.MaximumBatchingWindowInSeconds,
    );
    expect(Number(resource(t, 'DetectionQueue').Properties.VisibilityTimeout)).toBeGreaterThanOrEqual(
      6 * timeout + window,
    );
  });

  it.each([
    ['default parameters', () => template],
    ['explicit parameters', () => withParams],
  ])(
    'orders function timeout < lease < visibility timeout, and tells the function so it checks at cold start (%s)',
    (_name, get) => {
      const t = get();
      const fn = resource(t, 'DetectLambdaFunction').Properties as Json;
      const visibility = Number(resource(t, 'DetectionQueue').Properties.VisibilityTimeout);
      const env = fn.Environment.Variables as Record<string, unknown>;
      expect(Number(env.FUNCTION_TIMEOUT_SECONDS)).toBe(Number(fn.Timeout));
      expect(Number(env.QUEUE_VISIBILITY_TIMEOUT_SECONDS)).toBe(visibility);
      expect(Number(env.MAX_RECEIVE_COUNT)).toBe(
        Number(resource(t, 'DetectionQueue').Properties.RedrivePolicy.maxReceiveCount),
      );
      expect(Number(fn.Timeout)).toBeLessThan(Number(env.DEDUP_LEASE_SECONDS));
      expect(Number(env.DEDUP_LEASE_SECONDS)).toBeLessThan(visibility);
      for (const id of ['DetectionQueue', 'DetectionDeadLetterQueue'])
        expect(Number(resource(t, id).Properties.MaximumMessageSize)).toBe(1_048_576);
    },
  );

  it('redrives to a DLQ after at least 5 receives; DLQs keep messages 14 days', () => {
    const queue = resource(template, 'DetectionQueue').Properties as Json;
    expect(queue.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': ['DetectionDeadLetterQueue', 'Arn'] });
    expect(queue.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
    for (const id of ['DetectionDeadLetterQueue', 'AlertDeliveryDeadLetterQueue', 'DeliveryDeadLetterQueue']) {
      expect(resource(template, id).Properties.MessageRetentionPeriod).toBe(1_209_600);
    }
  });

  it('encrypts every store at rest', () => {
    for (const [, queue] of resources(template, 'AWS::SQS::Queue'))
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    for (const [, topic] of resources(template, 'AWS::SNS::Topic'))
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['TopicsKey', 'Arn'] });
    const table = resource(template, 'DedupTable').Properties as Json;
    expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(resource(template, 'TopicsKey').Properties.EnableKeyRotation).toBe(true);
    for (const [, bucket] of resources(template, 'AWS::S3::Bucket'))
      expect(bucket.Properties.BucketEncryption).toBeDefined();
  });

  it('has the dedup table on demand, with TTL on expiresAt and point-in-time recovery', () => {
    expect(resource(template, 'DedupTable').Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('routes email by severity and rule with a filter policy, and pages operations over HTTPS when asked', () => {
    expect(template.Parameters).toMatchObject({
      AlertEmail: { Default: '' },
      OpsEmail: { Default: '' },
      OpsPagerEndpoint: { Default: '' },
    });
    expect(resource(template, 'AlertEmailSubscription')).toMatchObject({
      Condition: 'HasAlertEmail',
      Properties: {
        Protocol: 'email',
        FilterPolicyScope: 'MessageAttributes',
        FilterPolicy: { severity: ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
      },
    });
    expect(resource(withParams, 'AlertEmailSubscription').Properties.FilterPolicy).toEqual({
      severity: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'],
    });
    expect(resource(template, 'AlertEmailSubscription').Properties.RedrivePolicy).toBeDefined();
    expect(withParams.Parameters.OpsPagerEndpoint.Default).toBe('https://events.pagerduty.com/integration/abc/enqueue');
    expect(resource(template, 'OperationsPagerSubscription')).toMatchObject({
      Condition: 'HasOpsPager',
      Properties: { TopicArn: { Ref: 'OperationsTopic' }, Protocol: 'https' },
    });
    expect(Object.keys(template.Resources as Json)).not.toContain('PagerSubscription');
  });

  it('subscribes one delivery queue per configured destination, raw, with its routing filter policy and a DLQ', () => {
    const subscription = (name: string) => resource(withParams, `${name}DeliverySubscription`);
    for (const name of ['PagerDuty', 'Slack', 'AlertWebhook']) {
      expect(subscription(name)).toMatchObject({
        Condition: `Has${name}`,
        Properties: {
          TopicArn: { Ref: 'AlertTopic' },
          Protocol: 'sqs',
          Endpoint: { 'Fn::GetAtt': [`${name}DeliveryQueue`, 'Arn'] },
          RawMessageDelivery: true,
          FilterPolicyScope: 'MessageAttributes',
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['AlertDeliveryDeadLetterQueue', 'Arn'] } },
        },
      });
      expect(resource(withParams, `${name}DeliveryQueue`)).toMatchObject({
        Condition: `Has${name}`,
        Properties: {
          SqsManagedSseEnabled: true,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': ['DeliveryDeadLetterQueue', 'Arn'] },
            maxReceiveCount: 50,
          },
        },
      });
      expect(resource(withParams, `${name}DeliveryEventSource`)).toMatchObject({
        Condition: `Has${name}`,
        DependsOn: ['DeliverDestinationsPolicy'],
        Properties: {
          FunctionName: { Ref: 'DeliverLambdaFunction' },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: 2 },
        },
      });
    }
    expect(subscription('PagerDuty').Properties.FilterPolicy).toEqual({ severity: ['CRITICAL'] });
    expect(subscription('Slack').Properties.FilterPolicy).toEqual({
      severity: ['MEDIUM', 'HIGH', 'CRITICAL'],
      rule_id: ['OpenAI.API.Key.Anomalous.Activity'],
    });
    expect(subscription('AlertWebhook').Properties.FilterPolicy).toEqual({
      severity: ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'],
      rule_id: [{ 'anything-but': ['Some.Noisy.Rule'] }],
    });
    // Defaults: PagerDuty from HIGH, Slack from MEDIUM.
    expect(resource(template, 'PagerDutyDeliverySubscription').Properties.FilterPolicy).toEqual({
      severity: ['HIGH', 'CRITICAL'],
    });
    expect(resource(template, 'SlackDeliverySubscription').Properties.FilterPolicy).toEqual({
      severity: ['MEDIUM', 'HIGH', 'CRITICAL'],
    });
  });

  it('gives the deliver function the SSM parameter names and its queues, never a secret', () => {
    const fn = resource(withParams, 'DeliverLambdaFunction').Properties as Json;
    expect(fn).toMatchObject({
      Handler: 'dist/deliver/index.handler',
      Architectures: ['arm64'],
      Role: { 'Fn::Sub': '${DeliverRole.Arn}' },
    });
    expect(fn.Environment.Variables).toMatchObject({
      DEAD_LETTER_QUEUE_URL: { Ref: 'DeliveryDeadLetterQueue' },
      PAGERDUTY_QUEUE_URL: { 'Fn::If': ['HasPagerDuty', { Ref: 'PagerDutyDeliveryQueue' }, ''] },
      PAGERDUTY_ROUTING_KEY_PARAMETER: { Ref: 'PagerDutyRoutingKeyParameter' },
      PAGERDUTY_EVENTS_URL: 'https://events.pagerduty.com/v2/enqueue',
      SLACK_WEBHOOK_URL_PARAMETER: { Ref: 'SlackWebhookUrlParameter' },
      ALERT_WEBHOOK_URL: { Ref: 'AlertWebhookUrl' },
      ALERT_WEBHOOK_SECRET_PARAMETER: { Ref: 'AlertWebhookSigningKeyParameter' },
      RUNBOOK_BASE_URL: 'https://wiki.example.com/runbooks/{ruleId}',
    });
    expect(withParams.Parameters).toMatchObject({
      PagerDutyRoutingKeyParameter: { Default: '/openai-audit-alerts/pagerduty-routing-key' },
      SlackWebhookUrlParameter: { Default: '/openai-audit-alerts/slack-webhook-url' },
      AlertWebhookSigningKeyParameter: { Default: '/openai-audit-alerts/alert-webhook-secret' },
    });
    const policy = resource(withParams, 'DeliverDestinationsPolicy');
    expect(policy.Condition).toBe('HasHttpDestination');
    const bySid = Object.fromEntries((policy.Properties.PolicyDocument.Statement as Json[]).map((st) => [st.Sid, st]));
    expect(bySid.ReadDestinationSecrets.Action).toBe('ssm:GetParameter');
    expect(bySid.ReadDestinationSecrets.Resource[0]).toEqual({
      'Fn::If': [
        'HasPagerDuty',
        {
          'Fn::Sub':
            'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${PagerDutyRoutingKeyParameter}',
        },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(bySid.DecryptDestinationSecrets.Condition.StringEquals['kms:ViaService']).toEqual({
      'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com',
    });
  });

  it('alarms on DLQs, function errors and throttles, queue age, rule errors and archive failures, to the operations topic', () => {
    const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
    const metrics = alarms.map((a) => `${a.Namespace}/${a.MetricName}`).sort();
    expect(metrics).toEqual([
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Throttles',
      'AWS/SQS/ApproximateAgeOfOldestMessage',
      'AWS/SQS/ApproximateAgeOfOldestMessage',
      'AWS/SQS/ApproximateAgeOfOldestMessage',
      'AWS/SQS/ApproximateAgeOfOldestMessage',
      'AWS/SQS/ApproximateAgeOfOldestMessage',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'OpenAIAuditAlerts/ArchiveWritesFailed',
      'OpenAIAuditAlerts/AuthFailures',
      'OpenAIAuditAlerts/RuleErrors',
      'OpenAIAuditAlerts/WebhookRequestsFailed',
    ]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: 'OperationsTopic' }]);
    const dlqAlarmed = alarms
      .filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')
      .map((a) => a.Dimensions[0].Value);
    expect(dlqAlarmed).toEqual(
      ['DetectionDeadLetterQueue', 'AlertDeliveryDeadLetterQueue', 'DeliveryDeadLetterQueue'].map((id) => ({
        'Fn::GetAtt': [id, 'QueueName'],
      })),
    );
    const behind = alarms
      .filter((a) => a.MetricName === 'ApproximateAgeOfOldestMessage')
      .map((a) => a.Dimensions[0].Value['Fn::GetAtt'][0] as string);
    expect(behind).toEqual([
      'DetectionQueue',
      'PagerDutyDeliveryQueue',
      'SlackDeliveryQueue',
      'AlertWebhookDeliveryQueue',
      'AlertArchiveQueue',
    ]);
    // Every alarm is named after the stack: the operations topic accepts alarms with those names only.
    for (const alarm of alarms) expect(alarm.AlarmName).toMatch(/^openai-audit-alerts-dev-/);
  });

  it('grants no IAM statement a * action or a * resource', () => {
    // AWS actions without resource-level permissions: only X-Ray's, with tracing=Active (EMF
    // metrics travel in the logs). The poll role's kms:Decrypt names the given key, or any key
    // of the account only through SSM and only for the admin key's parameter (checked below).
    const withoutResourceLevel = new Set<string>(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
    const statements = [
      ...resources(withParams, 'AWS::IAM::Role').flatMap(([, role]) =>
        ((role.Properties.Policies ?? []) as Json[]).flatMap((policy) => policy.PolicyDocument.Statement as Json[]),
      ),
      ...resources(withParams, 'AWS::IAM::Policy').flatMap(
        ([, policy]) => policy.Properties.PolicyDocument.Statement as Json[],
      ),
      // The archive's query policy, for people to attach (infra/archive.yml).
      ...resources(withParams, 'AWS::IAM::ManagedPolicy').flatMap(
        ([, policy]) => policy.Properties.PolicyDocument.Statement as Json[],
      ),
    ];
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const actions = ([] as string[]).concat(statement.Action as string | string[]);
      const targets = ([] as unknown[]).concat(statement.Resource);
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
      if (!actions.every((action) => withoutResourceLevel.has(action))) expect(targets).not.toContain('*');
    }
    expect(statements.map((s) => s.Sid)).toEqual([
      'WriteOwnLogs',
      'ConsumeDetectionQueue',
      'KeepPermanentFailures',
      'DedupWindows',
      'NoPollCursors',
      'PublishAlerts',
      'EncryptAlertsForTopic',
      'ArchiveEvents',
      'EncryptArchivedEvents',
      'WriteOwnLogs',
      'ReadAdminKey',
      'DecryptAdminKey',
      'EnqueueAuditEvents',
      'KeepUnpackableEvents',
      'PollCursorItemOnly',
      'WriteOwnLogs',
      'EnqueueAuditEvents',
      'ReadWebhookSecret',
      'DecryptWebhookSecret',
      'RecordWebhookIds',
      'WriteOwnLogs',
      'KeepRefusedAlerts',
      'ConsumeAlertArchiveQueue',
      'ArchiveAlerts',
      'EncryptArchivedAlerts',
      'WriteTraces',
      'ConsumeDeliveryQueues',
      'ReadDestinationSecrets',
      'DecryptDestinationSecrets',
      'RunQueriesInWorkGroup',
      'ReadArchiveTables',
      'ListArchive',
      'ReadArchive',
      'WriteQueryResults',
      'UseArchiveKey',
    ]);
    // Only the detect role may publish alerts, by its own policy as well as by the topic's.
    const publishers = statements.filter((st) =>
      ([] as string[]).concat(st.Action as string | string[]).includes('sns:Publish'),
    );
    expect(publishers.map((st) => st.Sid)).toEqual(['PublishAlerts']);
    const webhook = Object.fromEntries(
      (resource(template, 'WebhookRole').Properties.Policies[0].PolicyDocument.Statement as Json[]).map((st) => [
        st.Sid,
        st,
      ]),
    );
    expect(webhook.EnqueueAuditEvents).toMatchObject({
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': ['DetectionQueue', 'Arn'] },
    });
    expect(webhook.ReadWebhookSecret.Resource).toEqual({
      'Fn::Sub':
        'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/openai-audit-alerts/webhook-secret',
    });
    expect(webhook.RecordWebhookIds.Resource).toEqual({ 'Fn::GetAtt': ['WebhookDeliveriesTable', 'Arn'] });
    const poll = resource(template, 'PollRole').Properties.Policies[0].PolicyDocument.Statement as Json[];
    const bySid = Object.fromEntries(poll.map((st) => [st.Sid, st]));
    expect(bySid.ReadAdminKey.Resource).toEqual([
      {
        'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/openai-audit-alerts/admin-key',
      },
    ]);
    expect(bySid.DecryptAdminKey.Condition.StringEquals).toMatchObject({
      'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' },
    });
    expect(bySid.PollCursorItemOnly).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      // Its organization-scoped stream's cursor and its tenant-scoped stream's.
      Condition: {
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['ingest-cursor', 'ingest-cursor#@tenant'] },
      },
    });
    // Several organizations: each one's key parameter (and nothing else) and its own cursor item.
    const multi = Object.fromEntries(
      (resource(withParams, 'PollRole').Properties.Policies[0].PolicyDocument.Statement as Json[]).map((st) => [
        st.Sid,
        st,
      ]),
    );
    const arn = (name: string) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name}`,
    });
    expect(multi.ReadAdminKey.Resource).toEqual([arn('oaa/acme'), arn('openai-audit-alerts/org-globex/admin-key')]);
    expect(multi.DecryptAdminKey.Condition.StringEquals['kms:EncryptionContext:PARAMETER_ARN']).toEqual([
      arn('oaa/acme'),
      arn('openai-audit-alerts/org-globex/admin-key'),
    ]);
    expect(multi.PollCursorItemOnly.Condition['ForAllValues:StringEquals']['dynamodb:LeadingKeys']).toEqual([
      'ingest-cursor#org-acme',
      'ingest-cursor#org-acme#@tenant',
      'ingest-cursor#org-globex',
      'ingest-cursor#org-globex#@tenant',
    ]);
    expect(
      JSON.parse(resource(withParams, 'PollLambdaFunction').Properties.Environment.Variables.ORGANIZATIONS as string),
    ).toEqual([
      { id: 'org-acme', name: 'Acme', adminKeyParameter: '/oaa/acme' },
      { id: 'org-globex', name: '', adminKeyParameter: '/openai-audit-alerts/org-globex/admin-key' },
    ]);
    expect(bySid.EnqueueAuditEvents).toMatchObject({
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': ['DetectionQueue', 'Arn'] },
    });
  });

  it('builds a bundle that runs: the packaged handler alerts over the emulators, with the detections written as data', async () => {
    const pipeline = await createPipelineResources();
    process.env.DEDUP_TABLE_NAME = pipeline.tableName;
    process.env.ALERT_TOPIC_ARN = pipeline.topicArn;
    process.env.DEAD_LETTER_QUEUE_URL = pipeline.dlqUrl;
    process.env.LOG_LEVEL = 'ERROR';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const { handler } = (await import(pathToFileURL(join(root, 'dist/detect/index.mjs')).href)) as {
      handler: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
    };
    // The login signals (rules/openai/*.yml, shipped as data) feed the brute-force correlation.
    const login = (id: string, type: string, second: number) => ({
      id,
      type,
      effective_at: 1_732_000_000 + second,
      actor: {
        type: 'session',
        session: { user: { id: 'user-bf', email: 'bf@example.com' }, ip_address: '198.51.100.9' },
      },
    });
    const events = [
      keyEvent('bundle-1', 'user-bundle'),
      ...[1, 2, 3, 4, 5].map((n) => login(`bundle-failed-${n}`, 'login.failed', n)),
      login('bundle-login', 'login.succeeded', 6),
    ];
    const records = events.map((event, index) => ({
      messageId: `b${index}`,
      receiptHandle: 'r',
      body: body(event),
      attributes: {},
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
    }));
    const response = await handler(
      { Records: records } as unknown as SQSEvent,
      { functionName: 'detect', awsRequestId: 'r1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context,
    );
    expect(response).toEqual({ batchItemFailures: [] });
    const alerts = await receivedAlerts(pipeline.subscriberUrl);
    expect(alerts.map((a) => [a.alert.ruleId, a.alert.eventId]).sort()).toEqual([
      ['OpenAI.API.Key.Anomalous.Activity', 'bundle-1'],
      ['OpenAI.BruteForce.Login.Success.Group', 'bundle-login'],
    ]);
  });

  it('ships the detections written as data without a YAML parser at start', () => {
    const metafile = JSON.parse(readFileSync(join(root, 'dist/detect/meta.json'), 'utf8')) as Metafile;
    const eager = eagerOutputs(metafile, 'dist/detect/index.mjs').files;
    const inputs = eager.flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));
    expect(inputs.some((input) => input.includes('lib/detection/panther/compile-rule.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('node_modules/yaml/'))).toEqual([]);
    expect(inputs.filter((input) => input.endsWith('parse-yaml.ts'))).toEqual([]);
  });
});

/** The archive bucket's policy, read like the queues' (every condition it uses is modelled). */
function bucketDecision(
  t: Json,
  caller: Caller,
  action: string,
  objects: string,
  keys: Readonly<Record<string, string>> = {},
): 'denied' | 'allowed' | 'not-allowed' {
  const policy = resource(t, 'ArchiveBucketPolicy');
  const statements = policy.Properties.PolicyDocument.Statement as Json[];
  // The evaluator reads queue policies: the bucket policy, as one, over `<bucket ARN>/<prefix>*`.
  const asQueuePolicy = {
    ...t,
    Resources: {
      ...t.Resources,
      ArchiveBucketPolicy: { Type: 'AWS::SQS::QueuePolicy', Properties: { PolicyDocument: { Statement: statements } } },
    },
  };
  return decide(asQueuePolicy, { caller, action, resource: `${arnOf(t, 'ArchiveBucket')}/${objects}`, keys });
}

/** A metric union of the code (`export type Name = | 'A' | 'B';`), by its file. */
function metricUnion(file: string, name: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const start = text.indexOf(`export type ${name} =`);
  expect(start, `${name} in ${file}`).toBeGreaterThanOrEqual(0);
  const body = text.slice(start, text.indexOf(';', start)).replace(/\/\*[\s\S]*?\*\//g, '');
  return [...body.matchAll(/'([A-Za-z]+)'/g)].map((m) => m[1] as string);
}

/** The dashboard's JSON as CloudFormation renders it, with or without the webhook. */
function dashboard(t: Json, webhookEnabled: boolean): Json {
  const render = (value: Json): string => {
    if (typeof value === 'string') return value;
    if ('Fn::Join' in value) return (value['Fn::Join'][1] as Json[]).map(render).join(value['Fn::Join'][0] as string);
    if ('Fn::If' in value) {
      const [condition, whenTrue, whenFalse] = value['Fn::If'] as [string, Json, Json];
      expect(condition).toBe('WebhookEnabled');
      return render(webhookEnabled ? whenTrue : whenFalse);
    }
    if ('Fn::Sub' in value)
      return (value['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
        if (name === 'AWS::Region') return 'us-east-1';
        expect(t.Resources[name], `${name} in the dashboard`).toBeDefined();
        return `<${name}>`;
      });
    throw new Error(`unexpected ${JSON.stringify(value).slice(0, 80)}`);
  };
  return JSON.parse(render(resource(t, 'Dashboard').Properties.DashboardBody as Json)) as Json;
}

/** Every metric of a dashboard's metric widgets: [namespace, name, ...dimension name/value pairs]. */
const dashboardMetrics = (body: Json): string[][] =>
  (body.widgets as Json[]).filter((w) => w.type === 'metric').flatMap((w) => w.properties.metrics as string[][]);

describe('the archive: audit events and alerts in S3, queried with Athena', () => {
  const OBJECTS = { events: 'events/*', alerts: 'alerts/*', results: 'athena-results/*' };

  it('keeps them in a bucket of their own KMS key (rotated, bucket keys on), never public, without ACLs, versioned, kept when the stack goes', () => {
    const bucket = resource(template, 'ArchiveBucket');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': ['ArchiveKey', 'Arn'] },
        },
        BucketKeyEnabled: true,
      },
    ]);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const key = resource(template, 'ArchiveKey');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    // Evidence outlives the stack, and so does the key that decrypts it.
    for (const r of [bucket, key]) expect([r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    // The key's policy delegates to the account's IAM policies: the two roles' and the Athena users'.
    expect(key.Properties.KeyPolicy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
      }),
    ]);
  });

  it('refuses requests without TLS and objects encrypted otherwise than with the archive key', () => {
    const bySid = Object.fromEntries(
      (resource(template, 'ArchiveBucketPolicy').Properties.PolicyDocument.Statement as Json[]).map((st) => [
        st.Sid,
        st,
      ]),
    );
    expect(bySid.DenyInsecureTransport).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [{ 'Fn::GetAtt': ['ArchiveBucket', 'Arn'] }, { 'Fn::Sub': '${ArchiveBucket.Arn}/*' }],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    // What the writers send: no encryption header (the bucket's default, the archive key, applies).
    // Resources are matched as written: '*' is every object.
    const detect = { principalArn: arnOf(template, 'DetectRole') };
    const key = arnOf(template, 'ArchiveKey');
    const put = (keys: Record<string, string>) => bucketDecision(template, detect, 's3:PutObject', '*', keys);
    expect(put({})).not.toBe('denied');
    expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms' })).not.toBe('denied');
    expect(
      put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': key }),
    ).not.toBe('denied');
    expect(put({ 's3:x-amz-server-side-encryption': 'AES256' })).toBe('denied');
    expect(
      put({
        's3:x-amz-server-side-encryption': 'aws:kms',
        's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:123456789012:key/other',
      }),
    ).toBe('denied');
  });

  it('lets only the detect role write events and the deliver role alerts (and operators, to restore), and only operators delete', () => {
    const callers: Record<string, Caller> = {
      DetectRole: { principalArn: arnOf(withParams, 'DetectRole') },
      DeliverRole: { principalArn: arnOf(withParams, 'DeliverRole') },
      operator: { principalArn: OPERATOR },
      intruder: { principalArn: 'arn:aws:iam::123456789012:role/AdministratorAccess' },
    };
    const who = (action: string, objects: string) =>
      Object.entries(callers)
        .filter(([, caller]) => bucketDecision(withParams, caller, action, objects) === 'allowed')
        .map(([name]) => name);
    expect(who('s3:PutObject', OBJECTS.events)).toEqual(['DetectRole', 'operator']);
    expect(who('s3:PutObject', OBJECTS.alerts)).toEqual(['DeliverRole', 'operator']);
    for (const objects of [OBJECTS.events, OBJECTS.alerts]) {
      expect(who('s3:DeleteObject', objects)).toEqual(['operator']);
      expect(who('s3:DeleteObjectVersion', objects)).toEqual(['operator']);
    }
    // Athena writes its results with the querying user's credentials.
    expect(who('s3:PutObject', OBJECTS.results)).toEqual(Object.keys(callers));
    expect(bucketDecision(withParams, callers.DetectRole as Caller, 's3:GetObject', OBJECTS.events)).toBe('allowed');
  });

  it("grants the detect role s3:PutObject under events/ only and the deliver role under alerts/ only, and the key's data keys through S3 only", () => {
    const object = (prefix: string) => `${arnOf(template, 'ArchiveBucket')}/${prefix}2026-01-15/x.jsonl.gz`;
    const can = (roleId: string, action: string, target: string, keys = {}) =>
      decideForRole(template, roleId, { action, resource: target, keys });
    expect(can('DetectRole', 's3:PutObject', object('events/org=default/dt='))).toBe('allowed');
    expect(can('DetectRole', 's3:PutObject', object('alerts/dt='))).toBe('not-allowed');
    expect(can('DeliverRole', 's3:PutObject', object('alerts/dt='))).toBe('allowed');
    expect(can('DeliverRole', 's3:PutObject', object('events/org=default/dt='))).toBe('not-allowed');
    for (const roleId of ['DetectRole', 'DeliverRole']) {
      for (const action of ['s3:GetObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl'])
        for (const prefix of ['events/org=default/dt=', 'alerts/dt=', 'athena-results/'])
          expect(can(roleId, action, object(prefix)), `${roleId} ${action} ${prefix}`).toBe('not-allowed');
      const key = arnOf(template, 'ArchiveKey');
      const viaS3 = { 'kms:ViaService': 's3.us-east-1.amazonaws.com' };
      expect(can(roleId, 'kms:GenerateDataKey', key, viaS3)).toBe('allowed');
      expect(can(roleId, 'kms:GenerateDataKey', key)).toBe('not-allowed');
      expect(can(roleId, 'kms:Decrypt', key, viaS3)).toBe('not-allowed');
    }
    expect(resource(template, 'DetectLambdaFunction').Properties.Environment.Variables.ARCHIVE_BUCKET).toEqual({
      Ref: 'ArchiveBucket',
    });
  });

  it('expires events and alerts after archiveRetentionDays (400 by default), query results after 30 days at most, old versions and unfinished uploads', () => {
    const rules = (t: Json) => resource(t, 'ArchiveBucket').Properties.LifecycleConfiguration.Rules as Json[];
    const expiry = (t: Json) =>
      Object.fromEntries(rules(t).map((rule) => [rule.Prefix ?? '(all)', rule.ExpirationInDays]));
    expect(expiry(template)).toEqual({ 'events/': 400, 'alerts/': 400, 'athena-results/': 30, '(all)': undefined });
    expect(expiry(withParams)).toEqual({ 'events/': 90, 'alerts/': 90, 'athena-results/': 30, '(all)': undefined });
    expect(rules(template).every((rule) => rule.Status === 'Enabled')).toBe(true);
    expect(rules(template).find((rule) => rule.Prefix === undefined)).toEqual({
      Id: 'versions-and-uploads',
      Status: 'Enabled',
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      ExpiredObjectDeleteMarker: true,
    });
  });

  it.each(['0', '1.5'])('refuses archiveRetentionDays=%s at package time with one clean message', (value) => {
    const result = attempt('npx', [
      'osls',
      'package',
      '--stage',
      'retention',
      '--package',
      join(root, '.serverless-refused'),
      ...OPT_OUT,
      `--param=archiveRetentionDays=${value}`,
    ]);
    expect(result.status).not.toBe(0);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain(`archiveRetentionDays must be a positive whole number of days`);
    expect(output).toContain(`got "${value}"`);
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('delivers every alert to the archive through a delivery queue like the others, subscribed without a filter policy', () => {
    const like = { ...(resource(template, 'SlackDeliveryQueue').Properties as Json) };
    delete like.QueueName;
    expect(resource(template, 'AlertArchiveQueue').Properties).toEqual({
      ...like,
      QueueName: 'openai-audit-alerts-dev-delivery-archive',
    });
    expect(like).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['DeliveryDeadLetterQueue', 'Arn'] }, maxReceiveCount: 50 },
    });
    const subscription = resource(template, 'AlertArchiveSubscription');
    expect(subscription.Condition).toBeUndefined();
    expect(subscription.Properties).toEqual({
      TopicArn: { Ref: 'AlertTopic' },
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': ['AlertArchiveQueue', 'Arn'] },
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['AlertDeliveryDeadLetterQueue', 'Arn'] } },
    });
    const mapping = resource(template, 'AlertArchiveEventSource');
    expect(mapping.Condition).toBeUndefined();
    expect(mapping.Properties).toEqual({
      ...resource(withParams, 'SlackDeliveryEventSource').Properties,
      EventSourceArn: { 'Fn::GetAtt': ['AlertArchiveQueue', 'Arn'] },
    });
    expect(resource(template, 'DeliverLambdaFunction').Properties.Environment.Variables).toMatchObject({
      ARCHIVE_QUEUE_URL: { Ref: 'AlertArchiveQueue' },
      ARCHIVE_BUCKET: { Ref: 'ArchiveBucket' },
    });
  });

  it('describes the archive to Athena: a Glue database and the events and alerts tables, partitions projected (no crawler)', () => {
    expect(resource(template, 'ArchiveDatabase').Properties.DatabaseInput.Name).toBe('openai_audit_alerts_dev');
    const table = (id: string) => resource(template, id).Properties as Json;
    const events = table('ArchiveEventsTable');
    expect(events.DatabaseName).toEqual({ Ref: 'ArchiveDatabase' });
    expect(events.TableInput).toMatchObject({
      Name: 'events',
      TableType: 'EXTERNAL_TABLE',
      PartitionKeys: [
        { Name: 'org', Type: 'string' },
        { Name: 'dt', Type: 'string' },
      ],
      Parameters: {
        'projection.enabled': 'true',
        'projection.org.type': 'injected',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': '2023-01-01,NOW',
        'projection.dt.interval.unit': 'DAYS',
        'storage.location.template': { 'Fn::Sub': 's3://${ArchiveBucket}/events/org=${!org}/dt=${!dt}/' },
      },
      StorageDescriptor: {
        Location: { 'Fn::Sub': 's3://${ArchiveBucket}/events/' },
        SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
      },
    });
    expect(
      (events.TableInput.StorageDescriptor.Columns as Json[]).map((c) => `${c.Name as string} ${c.Type as string}`),
    ).toEqual(['organization_id string', 'message_id string', 'source string', 'received_at string', 'event string']);
    const alerts = table('ArchiveAlertsTable');
    expect(alerts.TableInput).toMatchObject({
      Name: 'alerts',
      PartitionKeys: [{ Name: 'dt', Type: 'string' }],
      Parameters: {
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'storage.location.template': { 'Fn::Sub': 's3://${ArchiveBucket}/alerts/dt=${!dt}/' },
      },
      StorageDescriptor: { SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' } },
    });
    // A column per field of the alert document (lowercase: the SerDe matches keys case-insensitively).
    const alertFields = readFileSync(join(root, 'lib/pipeline/alerts/alert-document.ts'), 'utf8')
      .split('export interface AlertDocument {')[1]
      ?.split('\n}')[0];
    const fields = [...(alertFields ?? '').matchAll(/^\s+readonly (\w+):/gm)].map((m) =>
      (m[1] as string).toLowerCase(),
    );
    expect(fields.length).toBeGreaterThan(20);
    expect((alerts.TableInput.StorageDescriptor.Columns as Json[]).map((c) => c.Name as string)).toEqual(fields);
  });

  it('queries in a workgroup that writes results under athena-results/ with the archive key, enforced, with four saved queries', () => {
    expect(resource(template, 'ArchiveWorkGroup').Properties).toMatchObject({
      Name: 'openai-audit-alerts-dev',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Sub': 's3://${ArchiveBucket}/athena-results/' },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': ['ArchiveKey', 'Arn'] } },
        },
      },
    });
    const queries = resources(template, 'AWS::Athena::NamedQuery').map(([, q]) => q.Properties as Json);
    expect(queries.map((q) => q.Name)).toEqual([
      'events of one actor by day',
      'failed logins by IP',
      'alerts by rule over a month',
      'events of a type',
    ]);
    for (const query of queries) {
      expect(query).toMatchObject({ Database: { Ref: 'ArchiveDatabase' }, WorkGroup: { Ref: 'ArchiveWorkGroup' } });
      const sql = query.QueryString as string;
      expect(sql).toMatch(/dt BETWEEN '\d{4}-\d{2}-\d{2}' AND '\d{4}-\d{2}-\d{2}'/);
      // `org` is an injected partition: a query over events must name the organization.
      if (/FROM events/.test(sql)) expect(sql).toMatch(/WHERE org = '[^']+'/);
      else expect(sql).toMatch(/FROM alerts/);
    }
  });

  it("reads in its saved queries only fields of OpenAI's audit-log schema or of the sample events", () => {
    const schema = parseYaml(
      readFileSync(resolvePath(root, '../shared/reference/openai-audit-logs.openapi.yaml'), 'utf8'),
    ) as Json;
    const schemas = schema.components.schemas as Json;
    const inSchema = (node: Json, keys: string[]): boolean => {
      if (keys.length === 0) return true;
      if (node?.$ref) return inSchema(schemas[(node.$ref as string).split('/').pop() as string] as Json, keys);
      if (node?.anyOf) return (node.anyOf as Json[]).some((branch) => inSchema(branch, keys));
      const next = node?.properties?.[keys[0] as string];
      return next !== undefined && inSchema(next as Json, keys.slice(1));
    };
    const samples = readFileSync(join(root, 'examples/sample-events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    const inSamples = (keys: string[]) =>
      samples.some((event) => keys.reduce<Json>((value, key) => value?.[key], event) !== undefined);
    const paths = resources(template, 'AWS::Athena::NamedQuery').flatMap(([, q]) =>
      [...(q.Properties.QueryString as string).matchAll(/json_extract(?:_scalar)?\(event, '([^']+)'\)/g)].map(
        (m) => m[1] as string,
      ),
    );
    expect(paths.length).toBeGreaterThan(10);
    const unknown = paths.filter((path) => {
      const keys = [...path.matchAll(/\.([A-Za-z_]\w*)|\["([^"]+)"\]/g)].map((m) => (m[1] ?? m[2]) as string);
      return !inSchema(schemas.AuditLog as Json, keys) && !inSamples(keys);
    });
    expect(unknown).toEqual([]);
  });

  it('alarms on failed archive writes and on alerts waiting for the archive', () => {
    expect(resource(template, 'ArchiveWritesFailedAlarm').Properties).toMatchObject({
      AlarmName: 'openai-audit-alerts-dev-archive-writes-failed',
      Namespace: 'OpenAIAuditAlerts',
      MetricName: 'ArchiveWritesFailed',
      Dimensions: [{ Name: 'service', Value: 'openai-audit-alerts' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: 'OperationsTopic' }],
    });
    expect(resource(template, 'AlertArchiveBehindAlarm').Properties).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['AlertArchiveQueue', 'QueueName'] } }],
      Threshold: resource(template, 'SlackDeliveryBehindAlarm').Properties.Threshold,
    });
  });

  it('states in docs/deploy.md the number of alarms the packaged stack has', () => {
    const alarms = resources(template, 'AWS::CloudWatch::Alarm');
    const always = alarms.filter(([, alarm]) => alarm.Condition === undefined).length;
    const perDestination = alarms.length - always;
    const docs = readFileSync(join(root, 'docs/deploy.md'), 'utf8');
    expect(docs).toContain(`The stack has ${always} CloudWatch alarms`);
    expect(docs).toContain(`${always + perDestination} with all three HTTP destinations`);
  });
});

describe('the dashboard', () => {
  /** The metrics the functions emit, by the unions of their telemetry. */
  const emitted = () =>
    new Set([
      ...metricUnion('lib/pipeline/detect/telemetry.ts', 'DetectionMetric'),
      ...metricUnion('lib/delivery/telemetry.ts', 'DeliveryMetric'),
      ...metricUnion('lib/ingestion/poller/poll-organizations.ts', 'PollMetric'),
      ...metricUnion('lib/ingestion/webhook/http-api.ts', 'WebhookMetric'),
    ]);
  it("reads only metrics the functions emit, in their namespace and dimensions, and AWS's own", () => {
    const body = dashboard(template, true);
    const metrics = dashboardMetrics(body);
    const own = metrics.filter((m) => m[0] === 'OpenAIAuditAlerts');
    const names = new Set(emitted());
    expect(names.has('EventsReceived') && names.has('AlertsDelivered') && names.has('AuditEventsListed')).toBe(true);
    expect(own.map((m) => m[1]).filter((name) => !names.has(name as string))).toEqual([]);
    // Powertools' default dimension is the service; delivery metrics add the destination.
    for (const m of own) {
      const dimensions: Record<string, string> = Object.fromEntries(
        Array.from({ length: (m.length - 2) / 2 }, (_, i) => [String(m[2 + 2 * i]), String(m[3 + 2 * i])]),
      );
      expect(dimensions.service).toBe('openai-audit-alerts');
      if (metricUnion('lib/delivery/telemetry.ts', 'DeliveryMetric').includes(m[1] as string))
        expect([...DESTINATION_NAMES, ALERT_ARCHIVE_DESTINATION]).toContain(dimensions.destination);
      else expect(Object.keys(dimensions)).toEqual(['service']);
    }
    const shown = new Set(own.map((m) => m[1]));
    for (const name of [
      'EventsReceived',
      'EventsMatched',
      'AlertsPublished',
      'AlertsSuppressed',
      'MatchesSuppressed',
      'RuleErrors',
      'AlertsDelivered',
      'DeliveriesDeferred',
      'DeliveriesRejected',
      'AuditEventsListed',
      'EventsArchived',
      'ArchiveWritesFailed',
    ])
      expect(shown.has(name), name).toBe(true);
    const namespaces = new Set(metrics.map((m) => m[0]));
    expect([...namespaces].sort()).toEqual([
      'AWS/ApiGateway',
      'AWS/DynamoDB',
      'AWS/Lambda',
      'AWS/SQS',
      'OpenAIAuditAlerts',
    ]);
  });

  it("names the stack's own queues (every DLQ), dedup table, functions and log groups", () => {
    const metrics = dashboardMetrics(dashboard(template, true));
    const queueNames = resources(template, 'AWS::SQS::Queue').map(([, q]) => q.Properties.QueueName as string);
    const dlqs = queueNames.filter((name) => name.endsWith('-dlq'));
    expect(dlqs.length).toBe(3);
    const depth = metrics.filter((m) => m[1] === 'ApproximateNumberOfMessagesVisible').map((m) => m[3]);
    expect(depth.sort()).toEqual([...dlqs].sort());
    const shownQueues = metrics.filter((m) => m[0] === 'AWS/SQS').map((m) => m[3] as string);
    expect(shownQueues.filter((name) => !queueNames.includes(name))).toEqual([]);
    // Every delivery queue's age, conditional ones included (by their fixed names).
    expect(new Set(shownQueues)).toEqual(new Set(queueNames));
    const throttles = metrics.filter((m) => m[0] === 'AWS/DynamoDB');
    expect(throttles.map((m) => m[1])).toEqual(['ReadThrottleEvents', 'WriteThrottleEvents']);
    for (const m of throttles) expect(m[3]).toBe(resource(template, 'DedupTable').Properties.TableName);
    const functionNames = resources(template, 'AWS::Lambda::Function').map(
      ([, f]) => f.Properties.FunctionName as string,
    );
    const errors = metrics.filter((m) => m[0] === 'AWS/Lambda').map((m) => m[3]);
    expect([...errors].sort()).toEqual([...functionNames].sort());
    const logGroups = resources(template, 'AWS::Logs::LogGroup').map(([, g]) => g.Properties.LogGroupName as string);
    const logWidgets = (dashboard(template, true).widgets as Json[]).filter((w) => w.type === 'log');
    expect(logWidgets.map((w) => w.properties.title as string)).toEqual([
      expect.stringContaining('Alerts by severity'),
      expect.stringContaining('Poller lag'),
    ]);
    for (const widget of logWidgets)
      expect(logGroups).toContain(/^SOURCE '([^']+)'/.exec(widget.properties.query as string)?.[1]);
  });

  it('shows the webhook 4xx and 5xx only when the webhook is enabled, and lays no two widgets on the same place', () => {
    const on = dashboard(template, true);
    const off = dashboard(template, false);
    const titles = (body: Json) => (body.widgets as Json[]).map((w) => w.properties.title as string);
    const webhookTitles = titles(on).filter((title) => !titles(off).includes(title));
    expect(webhookTitles).toEqual([expect.stringContaining('Webhook'), expect.stringContaining('Webhook')]);
    expect(
      dashboardMetrics(off).filter((m) => m[0] === 'AWS/ApiGateway' || String(m[1]).startsWith('Webhook')),
    ).toEqual([]);
    expect(dashboardMetrics(on).filter((m) => m[0] === 'AWS/ApiGateway')).toEqual([
      ['AWS/ApiGateway', '4xx', 'ApiId', '<WebhookHttpApi>'],
      ['AWS/ApiGateway', '5xx', 'ApiId', '<WebhookHttpApi>'],
    ]);
    const places = (on.widgets as Json[]).map((w) => `${w.x as number},${w.y as number}`);
    expect(new Set(places).size).toBe(places.length);
    expect(resource(template, 'Dashboard').Properties.DashboardName).toBe('openai-audit-alerts-dev');
  });
});

describe('resource policies: nobody but the roles that need a queue or topic may use it', () => {
  const role = (id: string) => ({ principalArn: arnOf(withParams, id) });
  const intruder = { principalArn: 'arn:aws:iam::123456789012:role/AdministratorAccess' };
  const operator = { principalArn: OPERATOR };
  const arn = (id: string) => arnOf(withParams, id);
  const allowed = (callers: Record<string, Caller>, action: string, resourceId: string, secureTransport = true) =>
    Object.entries(callers)
      .filter(
        ([, caller]) =>
          decide(withParams, { caller, action, resource: arn(resourceId), secureTransport }) === 'allowed',
      )
      .map(([name]) => name);
  // Built when a test runs: the template exists only after beforeAll.
  let everyone: Record<string, Caller> = {};
  beforeAll(() => {
    everyone = callers();
  });
  const callers = (): Record<string, Caller> => ({
    DetectRole: role('DetectRole'),
    PollRole: role('PollRole'),
    WebhookRole: role('WebhookRole'),
    DeliverRole: role('DeliverRole'),
    operator,
    intruder,
    'sns from AlertTopic': { service: 'sns.amazonaws.com', sourceArn: arn('AlertTopic') },
    'sns from OperationsTopic': { service: 'sns.amazonaws.com', sourceArn: arn('OperationsTopic') },
    'cloudwatch alarm of this stack': {
      service: 'cloudwatch.amazonaws.com',
      sourceArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:openai-audit-alerts-prod-detect-errors`,
    },
    'cloudwatch alarm of another stack': {
      service: 'cloudwatch.amazonaws.com',
      sourceArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:other-app-errors`,
    },
  });

  it('lets only the detect role publish alerts', () => {
    expect(allowed(everyone, 'sns:Publish', 'AlertTopic')).toEqual(['DetectRole']);
  });

  it("lets only this stack's alarms publish to the operations topic", () => {
    expect(allowed(everyone, 'sns:Publish', 'OperationsTopic')).toEqual(['cloudwatch alarm of this stack']);
  });

  it('lets only the ingestion roles (infra/settings.cjs) and operators send audit events', () => {
    const { QUEUE_SENDER_ROLES } = createRequire(import.meta.url)('../../infra/settings.cjs') as {
      QUEUE_SENDER_ROLES: string[];
    };
    expect(QUEUE_SENDER_ROLES).toEqual(['PollRole', 'WebhookRole']);
    const callers = { ...everyone, ...Object.fromEntries(QUEUE_SENDER_ROLES.map((id) => [id, role(id)])) };
    expect(allowed(callers, 'sqs:SendMessage', 'DetectionQueue').sort()).toEqual(
      [...QUEUE_SENDER_ROLES, 'operator'].sort(),
    );
    expect(allowed(everyone, 'sqs:ReceiveMessage', 'DetectionQueue')).toEqual(['DetectRole']);
    expect(allowed(everyone, 'sqs:PurgeQueue', 'DetectionQueue')).toEqual(['DetectRole']);
  });

  it('lets only the alert topic (and operators, to redrive) feed the delivery queues, and only the deliver role consume them', () => {
    for (const queue of [
      'PagerDutyDeliveryQueue',
      'SlackDeliveryQueue',
      'AlertWebhookDeliveryQueue',
      'AlertArchiveQueue',
    ]) {
      expect(allowed(everyone, 'sqs:SendMessage', queue)).toEqual(['operator', 'sns from AlertTopic']);
      expect(allowed(everyone, 'sqs:ReceiveMessage', queue)).toEqual(['DeliverRole']);
      expect(allowed(everyone, 'sqs:DeleteMessage', queue)).toEqual(['DeliverRole']);
    }
  });

  it('lets the DLQs be written only by their writers and read only by operators', () => {
    expect(allowed(everyone, 'sqs:SendMessage', 'DetectionDeadLetterQueue')).toEqual(['DetectRole', 'PollRole']);
    expect(allowed(everyone, 'sqs:SendMessage', 'DeliveryDeadLetterQueue')).toEqual(['DeliverRole']);
    expect(allowed(everyone, 'sqs:SendMessage', 'AlertDeliveryDeadLetterQueue')).toEqual([
      'sns from AlertTopic',
      'sns from OperationsTopic',
    ]);
    for (const dlq of ['DetectionDeadLetterQueue', 'DeliveryDeadLetterQueue', 'AlertDeliveryDeadLetterQueue']) {
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:StartMessageMoveTask', 'sqs:PurgeQueue'])
        expect(allowed(everyone, action, dlq)).toEqual(['operator']);
    }
  });

  it("denies no role what its own IAM policy grants it on the stack's queues and topics", () => {
    // A resource policy that denies a role its own grant breaks that function only in AWS (the
    // emulators enforce no policies): the poller could not keep an unpackable event, and stalled.
    const granted: string[] = [];
    const refused: string[] = [];
    for (const [id, r] of Object.entries(withParams.Resources as Record<string, Json>)) {
      if (r.Type !== 'AWS::IAM::Role') continue;
      for (const policy of (r.Properties.Policies ?? []) as Json[]) {
        for (const statement of resolve(withParams, policy.PolicyDocument).Statement as Json[]) {
          if (statement.Effect !== 'Allow') continue;
          const actions = ([] as string[])
            .concat(statement.Action as string | string[])
            .filter((a) => /^(sqs|sns):/.test(a) && !a.includes('*'));
          const targets = ([] as string[])
            .concat(statement.Resource as string | string[])
            .filter((a) => /^arn:aws:(sqs|sns):/.test(a));
          for (const action of actions) {
            for (const resource of targets) {
              const request = `${id} ${action} ${resource.split(':').pop() ?? ''}`;
              granted.push(request);
              if (decide(withParams, { caller: role(id), action, resource }) !== 'allowed') refused.push(request);
            }
          }
        }
      }
    }
    expect(granted).toContain('PollRole sqs:SendMessage DetectionDeadLetterQueue');
    expect(granted).toContain('DetectRole sns:Publish AlertTopic');
    expect(refused).toEqual([]);
  });

  it('with no operators listed, lets nobody read a DLQ or send test events (the account root aside)', () => {
    const root = { principalArn: 'arn:aws:iam::123456789012:root' };
    const read = (caller: Caller) =>
      decide(template, { caller, action: 'sqs:ReceiveMessage', resource: arnOf(template, 'DetectionDeadLetterQueue') });
    expect([read(operator), read(root), read({ principalArn: arnOf(template, 'DetectRole') })]).toEqual([
      'denied',
      'allowed',
      'denied',
    ]);
    expect(
      decide(template, { caller: operator, action: 'sqs:SendMessage', resource: arnOf(template, 'DetectionQueue') }),
    ).toBe('denied');
  });

  it('denies every request without TLS, and explicitly denies sending, reading and publishing to every other principal', () => {
    const queues = resources(withParams, 'AWS::SQS::Queue').map(([id]) => id);
    const topics = resources(withParams, 'AWS::SNS::Topic').map(([id]) => id);
    expect(queues.length).toBe(8);
    for (const id of queues) {
      for (const action of ['sqs:SendMessage', 'sqs:ReceiveMessage']) {
        expect(decide(withParams, { caller: intruder, action, resource: arn(id) })).toBe('denied');
        expect(allowed(everyone, action, id, false)).toEqual([]);
      }
    }
    for (const id of topics) {
      expect(decide(withParams, { caller: intruder, action: 'sns:Publish', resource: arn(id) })).toBe('denied');
      expect(allowed(everyone, 'sns:Publish', id, false)).toEqual([]);
    }
  });
});

describe('the dedup table: the detect role never touches a poll cursor, the poll role only its own', () => {
  /** Every item action the detect role has, and the ones it must never gain on a cursor. */
  const DETECT_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
  const ITEM_ACTIONS = [...DETECT_ACTIONS, 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query'];
  const decideOn = (t: Json, roleId: string, action: string, key: string, table = 'DedupTable') =>
    decideForRole(t, roleId, {
      action,
      resource: arnOf(t, table),
      keys: { 'dynamodb:LeadingKeys': [key] },
    });
  /** `role action key` for every request of the lists that comes out `allowed`. */
  const allowedRequests = (t: Json, roleId: string, actions: string[], keys: string[]) =>
    actions.flatMap((action) =>
      keys.filter((key) => decideOn(t, roleId, action, key) === 'allowed').map((key) => `${roleId} ${action} ${key}`),
    );
  const refusedRequests = (t: Json, roleId: string, actions: string[], keys: string[]) =>
    actions.flatMap((action) =>
      keys.filter((key) => decideOn(t, roleId, action, key) !== 'allowed').map((key) => `${roleId} ${action} ${key}`),
    );

  /** The keys the detect function wrote for every rule of the catalog, unscoped and for an organization. */
  let written: string[] = [];
  beforeAll(async () => {
    const resources = await createPipelineResources();
    const handler = createDetectionHandler({
      config: readDetectConfig({
        DEDUP_TABLE_NAME: resources.tableName,
        ALERT_TOPIC_ARN: resources.topicArn,
        DEAD_LETTER_QUEUE_URL: resources.dlqUrl,
      }),
      telemetry: recordingTelemetry().telemetry,
      clock: () => 1_732_440_000,
      clients: {
        dynamodb: () => Promise.resolve(new DynamoDBClient({})),
        sns: () => Promise.resolve(new SNSClient({})),
        sqs: () => Promise.resolve(new SQSClient({})),
      },
    });
    const events = readFileSync(join(root, 'examples/sample-events.jsonl'), 'utf8').trim().split('\n');
    // Organization ids that, unscoped, would also make cursor keys (`ingest-cursor#pending`).
    const envelope = (id: string) => `${envelopeOpening({ id, name: '' }, 'poller')}${events.join(',')}]}`;
    await sendBodies(resources.queueUrl, [...events, envelope('pending'), envelope('1732428000')]);
    for (let received = 1; received > 0;) {
      const poll = await pollOnce(resources.queueUrl, handler);
      expect(poll.result.batchItemFailures).toEqual([]);
      received = poll.received;
    }
    const { Items = [] } = await new DynamoDBClient({}).send(
      new ScanCommand({ TableName: resources.tableName, ConsistentRead: true }),
    );
    written = Items.map((item) => item.pk?.S ?? '');
  });

  it('lets the detect role read and write every key it writes: windows, pending registers, correlation state', () => {
    // Every kind of key is there, scoped to an organization or not.
    expect(written.filter((key) => /#\d+$/.test(key)).length).toBeGreaterThan(0);
    expect(written.filter((key) => key.endsWith('#pending')).length).toBeGreaterThan(0);
    expect(written.filter((key) => key.startsWith('corr#')).length).toBeGreaterThan(0);
    expect(written.filter((key) => key.startsWith('pending|')).length).toBeGreaterThan(0);
    // And the keys of dedup keys that look like cursors (stored hashed, lib/pipeline/dedup/dedup-item.ts).
    const lookalikes = [POLL_CURSOR_KEY, `${POLL_CURSOR_KEY}#pending`, `${POLL_CURSOR_KEY}#org-acme`].flatMap(
      (dedupKey) => [windowKey(dedupKey, 1_732_428_000), pendingRegisterKey(dedupKey)],
    );
    for (const t of [template, withParams])
      expect(refusedRequests(t, 'DetectRole', DETECT_ACTIONS, [...written, ...lookalikes])).toEqual([]);
  });

  it("denies the detect role every poll cursor, present, removed or future organizations' alike", () => {
    const cursors = (t: Json) => [
      ...(resource(t, 'PollRole').Properties.Policies[0].PolicyDocument.Statement as Json[]).flatMap(
        (st) => (st.Condition?.['ForAllValues:StringEquals']?.['dynamodb:LeadingKeys'] ?? []) as string[],
      ),
      `${POLL_CURSOR_KEY}#org-removed`,
      `${POLL_CURSOR_KEY}#pending`,
      `${POLL_CURSOR_KEY}#1732428000`,
    ];
    expect(cursors(template).slice(0, 2)).toEqual(['ingest-cursor', 'ingest-cursor#@tenant']);
    expect(cursors(withParams).slice(0, 4)).toEqual([
      'ingest-cursor#org-acme',
      'ingest-cursor#org-acme#@tenant',
      'ingest-cursor#org-globex',
      'ingest-cursor#org-globex#@tenant',
    ]);
    for (const t of [template, withParams])
      expect(allowedRequests(t, 'DetectRole', ITEM_ACTIONS, cursors(t))).toEqual([]);
    expect(decideOn(template, 'DetectRole', 'dynamodb:PutItem', POLL_CURSOR_KEY)).toBe('denied');
  });

  it('lets the poll role read and write its own cursors only, and neither role the webhook-id table', () => {
    const mine = [
      'ingest-cursor#org-acme',
      'ingest-cursor#org-acme#@tenant',
      'ingest-cursor#org-globex',
      'ingest-cursor#org-globex#@tenant',
    ];
    const actions = ['dynamodb:GetItem', 'dynamodb:PutItem'];
    expect(
      allowedRequests(withParams, 'PollRole', ITEM_ACTIONS, [...mine, POLL_CURSOR_KEY, ...written]).sort(),
    ).toEqual(actions.flatMap((action) => mine.map((key) => `PollRole ${action} ${key}`)).sort());
    // The webhook's replay items live in a table of their own, the webhook role's alone.
    for (const roleId of ['DetectRole', 'PollRole'])
      for (const action of ITEM_ACTIONS)
        expect(decideOn(withParams, roleId, action, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', 'WebhookDeliveriesTable')).toBe(
          'not-allowed',
        );
  });
});
