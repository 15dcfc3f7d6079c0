/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment --
   the assertions walk CloudFormation JSON, which has no static type */
// `npm run package` offline, with no AWS credentials: the bundle, the CloudFormation template it
// writes, the template's validation with @aws/cloudformation-validate, and what it must contain.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RegoEngine, TemplateFile } from '@aws/cloudformation-validate';
import type { Context, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPipelineResources, receivedAlerts } from '../support/aws-resources.ts';
import { body, keyEvent } from '../integration/events.ts';

const root = join(import.meta.dirname, '../..');
type Json = Record<string, any>;

/** The packaging environment: no credentials, no profile, an empty home, telemetry off. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'home-')), SLS_TELEMETRY_DISABLED: '1', CI: '1' };
  return env;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, env: offlineEnv(), encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

const TEMPLATE = 'cloudformation-template-update-stack.json';
let template: Json;
let withParams: Json;
const paramsDir = join(root, '.serverless-params');

beforeAll(() => {
  // The framework empties .serverless/ whenever it packages, wherever the output goes: package with
  // explicit parameters first, then the default package that `npm run package` promises.
  run('npx', ['tsx', 'scripts/build.ts']);
  run('npx', ['osls', 'package', '--stage', 'prod', '--package', paramsDir,
    '--param=alertEmail=soc@example.com', '--param=pagerEndpoint=https://events.example.com/integration/abc',
    '--param=pagerMinSeverity=MEDIUM', '--param=batchingWindowSeconds=20', '--param=batchSize=100',
    '--param=organizations=[{"id":"org-acme","name":"Acme","adminKeyParameter":"/oaa/acme"},{"id":"org-globex"}]',
    '--param=webhookEnabled=true', '--param=webhookRateLimit=5', '--param=webhookBurstLimit=10', '--param=webhookReservedConcurrency=3']);
  withParams = JSON.parse(readFileSync(join(paramsDir, TEMPLATE), 'utf8')) as Json;
  run('npm', ['run', 'package']);
  template = JSON.parse(readFileSync(join(root, '.serverless', TEMPLATE), 'utf8')) as Json;
}, 300_000);

const resources = (t: Json, type: string): Array<[string, Json]> =>
  Object.entries(t.Resources as Json).filter(([, r]) => (r as Json).Type === type) as Array<[string, Json]>;
const resource = (t: Json, id: string): Json => (t.Resources as Json)[id] as Json;

// Informational findings that are explained in docs/deploy.md ("Template validation"); any
// warning or error fails the test.
const EXPLAINED_INFO = new Set(['I9001', 'I9040', 'I1022', 'I3011']);

describe('npm run package', () => {
  it.each(['detect', 'poll', 'webhook'])('writes a zip holding only the %s bundle', (name) => {
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
      const findings = report.diagnostics.map((d) => `${d.severity} ${d.ruleId} ${d.entity?.logicalId ?? ''}: ${d.message}`);
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
    expect(resources(template, 'AWS::IAM::Role').map(([id]) => id).sort()).toEqual(['DetectRole', 'PollRole', 'WebhookRole']);
  });

  it('polls the audit log on the schedule parameter, one run at a time, with its own role', () => {
    const fn = resource(template, 'PollLambdaFunction').Properties as Json;
    expect(fn).toMatchObject({ Handler: 'dist/poll/index.handler', Architectures: ['arm64'], ReservedConcurrentExecutions: 1, Role: { 'Fn::Sub': '${PollRole.Arn}' } });
    expect(fn.Environment.Variables).toMatchObject({
      ORGANIZATIONS: '[{"id":"default","name":"","adminKeyParameter":"/openai-audit-alerts/admin-key"}]',
      QUEUE_URL: { Ref: 'DetectionQueue' },
      DEAD_LETTER_QUEUE_URL: { Ref: 'DetectionDeadLetterQueue' },
      CURSOR_TABLE_NAME: { Ref: 'DedupTable' },
      CURSOR_KEY: 'ingest-cursor',
    });
    const [[, rule]] = resources(template, 'AWS::Events::Rule') as [[string, Json]];
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
  });

  it('serves the webhook through an HTTP API only when enabled, throttled by the deploy parameters', () => {
    expect(template.Parameters.EnableWebhook.Default).toBe('false');
    expect(withParams.Parameters.EnableWebhook.Default).toBe('true');
    for (const id of ['WebhookHttpApi', 'WebhookIntegration', 'WebhookRoute', 'WebhookStage', 'WebhookInvokePermission', 'WebhookAccessLogGroup']) {
      expect(resource(template, id).Condition, id).toBe('WebhookEnabled');
    }
    expect(resource(withParams, 'WebhookRoute').Properties.RouteKey).toBe('POST /v1/audit-events');
    expect(resource(withParams, 'WebhookIntegration').Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    expect(resource(template, 'WebhookStage').Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(resource(withParams, 'WebhookStage').Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    expect(resource(withParams, 'WebhookLambdaFunction').Properties).toMatchObject({ ReservedConcurrentExecutions: 3, Role: { 'Fn::Sub': '${WebhookRole.Arn}' } });
    expect(resource(template, 'WebhookLambdaFunction').Properties.ReservedConcurrentExecutions).toBe(0); // off: cannot run at all
    expect(resource(template, 'WebhookLambdaFunction').Properties.Environment.Variables).toMatchObject({
      QUEUE_URL: { Ref: 'DetectionQueue' },
      WEBHOOK_SECRET_PARAMETER: '/openai-audit-alerts/webhook-secret',
      WEBHOOK_DELIVERIES_TABLE: { Ref: 'WebhookDeliveriesTable' },
      WEBHOOK_BEARER_AUTH: 'false',
    });
    expect(resource(template, 'WebhookDeliveriesTable').Properties).toMatchObject({ TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true }, SSESpecification: { SSEEnabled: true } });
    expect(template.Outputs.WebhookUrl.Condition).toBe('WebhookEnabled');
  });

  it('consumes the queue with partial batch responses and the configured batching', () => {
    const [[, mapping]] = resources(template, 'AWS::Lambda::EventSourceMapping') as [[string, Json]];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['DetectionQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
    });
    const [[, custom]] = resources(withParams, 'AWS::Lambda::EventSourceMapping') as [[string, Json]];
    expect(custom.Properties).toMatchObject({ BatchSize: 100, MaximumBatchingWindowInSeconds: 20 });
  });

  it.each([
    ['default parameters', () => template],
    ['explicit parameters', () => withParams],
  ])('keeps the visibility timeout at least 6x the function timeout plus the batching window (%s)', (_name, get) => {
    const t = get();
    const timeout = Number(resource(t, 'DetectLambdaFunction').Properties.Timeout);
    const window = Number(resources(t, 'AWS::Lambda::EventSourceMapping')[0]?.[1].Properties.MaximumBatchingWindowInSeconds);
    expect(Number(resource(t, 'DetectionQueue').Properties.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * timeout + window);
  });

  it('redrives to a DLQ after at least 5 receives; DLQs keep messages 14 days', () => {
    const queue = resource(template, 'DetectionQueue').Properties as Json;
    expect(queue.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': ['DetectionDeadLetterQueue', 'Arn'] });
    expect(queue.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
    for (const id of ['DetectionDeadLetterQueue', 'AlertDeliveryDeadLetterQueue']) {
      expect(resource(template, id).Properties.MessageRetentionPeriod).toBe(1_209_600);
    }
  });

  it('encrypts every store at rest', () => {
    for (const [, queue] of resources(template, 'AWS::SQS::Queue')) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    for (const [, topic] of resources(template, 'AWS::SNS::Topic')) expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['TopicsKey', 'Arn'] });
    const table = resource(template, 'DedupTable').Properties as Json;
    expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(resource(template, 'TopicsKey').Properties.EnableKeyRotation).toBe(true);
    for (const [, bucket] of resources(template, 'AWS::S3::Bucket')) expect(bucket.Properties.BucketEncryption).toBeDefined();
  });

  it('has the dedup table on demand, with TTL on expiresAt and point-in-time recovery', () => {
    expect(resource(template, 'DedupTable').Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('subscribes email and pager only when configured, the pager filtered by severity, with a DLQ', () => {
    expect(template.Parameters).toMatchObject({ AlertEmail: { Default: '' }, PagerEndpoint: { Default: '' } });
    expect(withParams.Parameters).toMatchObject({ AlertEmail: { Default: 'soc@example.com' }, PagerEndpoint: { Default: 'https://events.example.com/integration/abc' } });
    expect(resource(template, 'AlertEmailSubscription')).toMatchObject({ Condition: 'HasAlertEmail', Properties: { Protocol: 'email' } });
    const pager = resource(template, 'PagerSubscription');
    expect(pager).toMatchObject({
      Condition: 'HasPager',
      Properties: {
        Protocol: 'https',
        FilterPolicyScope: 'MessageAttributes',
        FilterPolicy: { severity: ['HIGH', 'CRITICAL'] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['AlertDeliveryDeadLetterQueue', 'Arn'] } },
      },
    });
    expect(resource(withParams, 'PagerSubscription').Properties.FilterPolicy).toEqual({ severity: ['MEDIUM', 'HIGH', 'CRITICAL'] });
    expect(resource(template, 'AlertEmailSubscription').Properties.RedrivePolicy).toBeDefined();
  });

  it('alarms on DLQs, function errors and throttles, queue age and rule errors, to the operations topic', () => {
    const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
    const metrics = alarms.map((a) => `${a.Namespace}/${a.MetricName}`).sort();
    expect(metrics).toEqual([
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Throttles',
      'AWS/SQS/ApproximateAgeOfOldestMessage',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'OpenAIAuditAlerts/AuthFailures',
      'OpenAIAuditAlerts/RuleErrors',
      'OpenAIAuditAlerts/WebhookRequestsFailed',
    ]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: 'OperationsTopic' }]);
    const dlqAlarmed = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible').map((a) => a.Dimensions[0].Value);
    expect(dlqAlarmed).toEqual([{ 'Fn::GetAtt': ['DetectionDeadLetterQueue', 'QueueName'] }, { 'Fn::GetAtt': ['AlertDeliveryDeadLetterQueue', 'QueueName'] }]);
  });

  it('grants no IAM statement a * action or a * resource', () => {
    // AWS actions without resource-level permissions would be listed here; neither role needs one
    // (EMF metrics travel in the logs). The poll role's kms:Decrypt names the given key, or any key
    // of the account only through SSM and only for the admin key's parameter (checked below).
    const withoutResourceLevel = new Set<string>();
    const statements = resources(template, 'AWS::IAM::Role').flatMap(([, role]) =>
      ((role.Properties.Policies ?? []) as Json[]).flatMap((policy) => policy.PolicyDocument.Statement as Json[]),
    );
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const actions = ([] as string[]).concat(statement.Action as string | string[]);
      const targets = ([] as unknown[]).concat(statement.Resource);
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
      if (!actions.every((action) => withoutResourceLevel.has(action))) expect(targets).not.toContain('*');
    }
    expect(statements.map((s) => s.Sid)).toEqual([
      'WriteOwnLogs', 'ConsumeDetectionQueue', 'KeepPermanentFailures', 'DedupWindows', 'PublishAlerts', 'EncryptAlertsForTopic',
      'WriteOwnLogs', 'ReadAdminKey', 'DecryptAdminKey', 'EnqueueAuditEvents', 'KeepUnpackableEvents', 'PollCursorItemOnly',
      'WriteOwnLogs', 'EnqueueAuditEvents', 'ReadWebhookSecret', 'DecryptWebhookSecret', 'RecordWebhookIds',
    ]);
    const webhook = Object.fromEntries((resource(template, 'WebhookRole').Properties.Policies[0].PolicyDocument.Statement as Json[]).map((st) => [st.Sid, st]));
    expect(webhook.EnqueueAuditEvents).toMatchObject({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['DetectionQueue', 'Arn'] } });
    expect(webhook.ReadWebhookSecret.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/openai-audit-alerts/webhook-secret' });
    expect(webhook.RecordWebhookIds.Resource).toEqual({ 'Fn::GetAtt': ['WebhookDeliveriesTable', 'Arn'] });
    const poll = (resource(template, 'PollRole').Properties.Policies[0].PolicyDocument.Statement as Json[]);
    const bySid = Object.fromEntries(poll.map((st) => [st.Sid, st]));
    expect(bySid.ReadAdminKey.Resource).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/openai-audit-alerts/admin-key' }]);
    expect(bySid.DecryptAdminKey.Condition.StringEquals).toMatchObject({ 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } });
    expect(bySid.PollCursorItemOnly).toMatchObject({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['ingest-cursor'] } } });
    // Several organizations: each one's key parameter (and nothing else) and its own cursor item.
    const multi = Object.fromEntries((resource(withParams, 'PollRole').Properties.Policies[0].PolicyDocument.Statement as Json[]).map((st) => [st.Sid, st]));
    const arn = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name}` });
    expect(multi.ReadAdminKey.Resource).toEqual([arn('oaa/acme'), arn('openai-audit-alerts/org-globex/admin-key')]);
    expect(multi.DecryptAdminKey.Condition.StringEquals['kms:EncryptionContext:PARAMETER_ARN']).toEqual([arn('oaa/acme'), arn('openai-audit-alerts/org-globex/admin-key')]);
    expect(multi.PollCursorItemOnly.Condition['ForAllValues:StringEquals']['dynamodb:LeadingKeys']).toEqual(['ingest-cursor#org-acme', 'ingest-cursor#org-globex']);
    expect(JSON.parse(resource(withParams, 'PollLambdaFunction').Properties.Environment.Variables.ORGANIZATIONS as string)).toEqual([
      { id: 'org-acme', name: 'Acme', adminKeyParameter: '/oaa/acme' },
      { id: 'org-globex', name: '', adminKeyParameter: '/openai-audit-alerts/org-globex/admin-key' },
    ]);
    expect(bySid.EnqueueAuditEvents).toMatchObject({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['DetectionQueue', 'Arn'] } });
  });

  it('builds a bundle that runs: the packaged handler alerts over the emulators', async () => {
    const pipeline = await createPipelineResources();
    process.env.DEDUP_TABLE_NAME = pipeline.tableName;
    process.env.ALERT_TOPIC_ARN = pipeline.topicArn;
    process.env.DEAD_LETTER_QUEUE_URL = pipeline.dlqUrl;
    process.env.LOG_LEVEL = 'ERROR';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const { handler } = (await import(pathToFileURL(join(root, 'dist/detect/index.mjs')).href)) as {
      handler: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
    };
    const record = { messageId: 'b1', receiptHandle: 'r', body: body(keyEvent('bundle-1', 'user-bundle')), attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q', awsRegion: 'us-east-1' };
    const response = await handler({ Records: [record] } as unknown as SQSEvent, { functionName: 'detect', awsRequestId: 'r1' } as Context);
    expect(response).toEqual({ batchItemFailures: [] });
    expect((await receivedAlerts(pipeline.subscriberUrl)).map((a) => a.alert.eventId)).toEqual(['bundle-1']);
  });
});
