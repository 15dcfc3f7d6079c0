// The pipeline's names and settings, in one place: serverless.yml resolves this file at package
// time (`${file(./infra/settings.cjs)}`), and the local runner (npm start) imports it, so the
// deployed stack and the local one cannot drift. CommonJS because Serverless loads it with require.
'use strict';

const path = require('node:path');

const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** Defaults of the deploy parameters (serverless.yml `params.default` repeats them for the CLI). */
const DEFAULTS = Object.freeze({
  batchSize: 10,
  batchingWindowSeconds: 5,
  logLevel: 'INFO',
  // Alert routing, per destination: the lowest severity it receives, and which rules (all by default).
  emailMinSeverity: 'INFO',
  pagerDutyMinSeverity: 'HIGH',
  slackMinSeverity: 'MEDIUM',
  alertWebhookMinSeverity: 'INFO',
});

/** The destinations that receive alerts through the delivery function. */
const HTTP_DESTINATIONS = Object.freeze(['pagerDuty', 'slack', 'alertWebhook']);

/** SNS: a filter policy's values multiplied across its keys must not exceed 150. */
const FILTER_POLICY_MAX_COMBINATIONS = 150;

/**
 * Parses a routing rule list: rule ids separated by commas, all to include (`A,B`) or all to exclude
 * (`!A,!B`); empty means every rule.
 * @param {string} name the deploy parameter, for messages
 * @param {unknown} value
 * @returns {{ include: string[], exclude: string[] }}
 */
function parseRuleList(name, value) {
  const items = String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const include = items.filter((item) => !item.startsWith('!'));
  const exclude = items.filter((item) => item.startsWith('!')).map((item) => item.slice(1).trim());
  if (include.length > 0 && exclude.length > 0)
    throw new Error(`${name}: list rule ids to include (A,B) or to exclude (!A,!B), not both`);
  for (const id of [...include, ...exclude]) {
    if (!/^[A-Za-z0-9_.:-]{1,200}$/.test(id))
      throw new Error(`${name}: ${JSON.stringify(id)} is not a rule id (letters, digits, ".", "_", ":", "-")`);
  }
  return { include, exclude };
}

/**
 * The SNS subscription filter policy (on message attributes) that routes to one destination: its
 * severities, and its rules when it names some.
 * @param {string} prefix the destination's parameter prefix, e.g. `slack`
 * @param {Record<string, unknown>} params
 */
function route(prefix, params) {
  const severityParam = `${prefix}MinSeverity`;
  const minSeverity = String(params[severityParam] ?? DEFAULTS[severityParam]).toUpperCase();
  const minIndex = SEVERITIES.indexOf(minSeverity);
  if (minIndex < 0)
    throw new Error(`${severityParam} must be one of ${SEVERITIES.join(', ')}, got ${params[severityParam]}`);
  const rules = parseRuleList(`${prefix}Rules`, params[`${prefix}Rules`]);
  const severities = SEVERITIES.slice(minIndex);
  /** @type {Record<string, unknown[]>} */
  const filterPolicy = { severity: severities };
  if (rules.include.length > 0) filterPolicy.rule_id = rules.include;
  if (rules.exclude.length > 0) filterPolicy.rule_id = [{ 'anything-but': rules.exclude }];
  const combinations = severities.length * Math.max(1, rules.include.length + rules.exclude.length);
  if (combinations > FILTER_POLICY_MAX_COMBINATIONS) {
    throw new Error(
      `${prefix}Rules: ${severities.length} severities x ${rules.include.length + rules.exclude.length} rules make ${combinations} filter combinations; SNS allows ${FILTER_POLICY_MAX_COMBINATIONS}`,
    );
  }
  return { minSeverity, severities, rules, filterPolicy };
}

/**
 * The dedup protocol's constants that the stack must respect (lib/pipeline/dedup/constants.ts
 * holds the same values; a test keeps them equal).
 */
const DEDUP = Object.freeze({ leaseMarginSeconds: 5, replayHorizonSeconds: 15 * 24 * 3600 });

/**
 * The order the no-loss protocol relies on, checked whenever the stack is packaged: a lease (at
 * most the function timeout plus the margin) ends before the queue redelivers its record, and a
 * dead letter can be redriven only while the window items that counted its events still exist.
 * @param {{ detectTimeoutSeconds: number, visibilityTimeoutSeconds: number, deadLetterRetentionSeconds: number }} values
 */
function checkProtocolOrder({ detectTimeoutSeconds, visibilityTimeoutSeconds, deadLetterRetentionSeconds }) {
  if (detectTimeoutSeconds + DEDUP.leaseMarginSeconds >= visibilityTimeoutSeconds) {
    throw new Error(
      `the function timeout (${detectTimeoutSeconds}s) plus the lease margin (${DEDUP.leaseMarginSeconds}s) must be below the queue's visibility timeout (${visibilityTimeoutSeconds}s)`,
    );
  }
  if (deadLetterRetentionSeconds >= DEDUP.replayHorizonSeconds) {
    throw new Error(
      `the DLQ's retention (${deadLetterRetentionSeconds}s) must be below the dedup replay horizon (${DEDUP.replayHorizonSeconds}s)`,
    );
  }
}

/**
 * Everything derived from the parameters. Throws on values AWS would reject later.
 * @param {Record<string, unknown>} params deploy parameters (batchSize, batchingWindowSeconds, and
 *   per destination `<destination>MinSeverity` and `<destination>Rules`)
 */
function pipelineSettings(params = {}) {
  const batchSize = Number(params.batchSize ?? DEFAULTS.batchSize);
  const batchingWindowSeconds = Number(params.batchingWindowSeconds ?? DEFAULTS.batchingWindowSeconds);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000)
    throw new Error(`batchSize must be 1-10000, got ${params.batchSize}`);
  if (batchSize > 10 && batchingWindowSeconds < 1)
    throw new Error('batchSize over 10 needs batchingWindowSeconds of at least 1 (Lambda rule)');
  if (!Number.isInteger(batchingWindowSeconds) || batchingWindowSeconds < 0 || batchingWindowSeconds > 300) {
    throw new Error(`batchingWindowSeconds must be 0-300, got ${params.batchingWindowSeconds}`);
  }
  const deliverTimeoutSeconds = 60;

  const detectTimeoutSeconds = 30;
  const visibilityTimeoutSeconds = 6 * detectTimeoutSeconds + batchingWindowSeconds;
  const deadLetterRetentionSeconds = 14 * 24 * 3600;
  checkProtocolOrder({ detectTimeoutSeconds, visibilityTimeoutSeconds, deadLetterRetentionSeconds });
  return {
    service: 'openai-audit-alerts',
    detect: {
      timeoutSeconds: detectTimeoutSeconds,
      memorySize: 512,
      batchSize,
      batchingWindowSeconds,
      eventConcurrency: 8,
      // Deployed, the lease follows the invocation's remaining time; this is the lease of runs
      // without an invocation deadline, and the longest a deployed one can be.
      leaseSeconds: detectTimeoutSeconds + DEDUP.leaseMarginSeconds,
    },
    queue: {
      // AWS: at least six times the function timeout, plus the batching window.
      visibilityTimeoutSeconds,
      retentionSeconds: 4 * 24 * 3600,
      maxReceiveCount: 5,
      // SQS's largest message (1 MiB since August 2025): dead letters keep events up to that.
      maximumMessageSizeBytes: 1_048_576,
    },
    deadLetterQueue: { retentionSeconds: deadLetterRetentionSeconds },
    table: { partitionKey: 'pk', ttlAttribute: 'expiresAt' },
    alarms: { oldestMessageAgeSeconds: 900, deliveryAgeSeconds: 900, periodSeconds: 300 },
    delivery: {
      function: { timeoutSeconds: deliverTimeoutSeconds, memorySize: 256, batchSize: 10, maximumConcurrency: 2 },
      queue: {
        visibilityTimeoutSeconds: 6 * deliverTimeoutSeconds,
        retentionSeconds: 4 * 24 * 3600,
        // Put-back alerts wait 30 s, 1, 2, 4, 8, then 15 minutes between receives (half of that at
        // the least, with jitter): 50 receives keep an alert at least 5.5 hours before the DLQ.
        maxReceiveCount: 50,
      },
      routes: {
        email: route('email', params),
        pagerDuty: route('pagerDuty', params),
        slack: route('slack', params),
        webhook: route('alertWebhook', params),
      },
    },
    logRetentionDays: 30,
  };
}

const ORGANIZATION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

/**
 * The organizations the poller lists, from the deploy parameters: `organizations` (a JSON list of
 * `{id, name, adminKeyParameter}`), or when empty one organization, `default`, whose key is
 * `adminKeyParameter` (what a single-organization stack always had). Throws on anything the
 * function would refuse at cold start.
 * @param {{ organizations?: string, adminKeyParameter?: string, cursorKey?: string }} params
 */
function pollOrganizations(params = {}) {
  const cursorKey = params.cursorKey ?? 'ingest-cursor';
  const raw = String(params.organizations ?? '').trim();
  if (raw === '' || raw === '[]') {
    const adminKeyParameter = String(params.adminKeyParameter ?? '/openai-audit-alerts/admin-key');
    if (!PARAMETER_NAME.test(adminKeyParameter))
      throw new Error(`adminKeyParameter must be a full SSM parameter name starting with /, got ${adminKeyParameter}`);
    return [{ id: 'default', name: '', adminKeyParameter, cursorKey }];
  }
  let list;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new Error('organizations must be JSON: [{"id": "org-...", "name": "...", "adminKeyParameter": "/..."}]');
  }
  if (!Array.isArray(list) || list.length === 0 || list.length > 20)
    throw new Error('organizations must be a JSON array of 1 to 20 organizations');
  const ids = new Set();
  return list.map((entry, index) => {
    const where = `organizations[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new Error(`${where} must be an object`);
    if (typeof entry.id !== 'string' || !ORGANIZATION_ID.test(entry.id))
      throw new Error(`${where}.id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit`);
    if (ids.has(entry.id)) throw new Error(`${where}.id ${entry.id} is listed twice`);
    ids.add(entry.id);
    if (entry.name !== undefined && (typeof entry.name !== 'string' || entry.name.length > 64))
      throw new Error(`${where}.name must be a string of at most 64 characters`);
    const adminKeyParameter = entry.adminKeyParameter ?? `/openai-audit-alerts/${entry.id}/admin-key`;
    if (typeof adminKeyParameter !== 'string' || !PARAMETER_NAME.test(adminKeyParameter))
      throw new Error(`${where}.adminKeyParameter must be a full SSM parameter name starting with /`);
    return {
      id: entry.id,
      name: entry.name ?? '',
      adminKeyParameter,
      cursorKey: entry.id === 'default' ? cursorKey : `${cursorKey}#${entry.id}`,
    };
  });
}

/**
 * The poller's settings from the deploy parameters: organizations, overlap, backfill, API.
 * @param {Record<string, unknown>} params
 */
function ingestSettings(params = {}) {
  const cursorKey = 'ingest-cursor';
  const organizations = pollOrganizations({
    organizations: params.organizations,
    adminKeyParameter: params.adminKeyParameter,
    cursorKey,
  });
  const overlapSeconds = Number(params.pollOverlapSeconds ?? 600);
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > 3600)
    throw new Error(`pollOverlapSeconds must be 0-3600, got ${params.pollOverlapSeconds}`);
  const backfillHours = Number(params.pollBackfillHours ?? 24);
  if (!Number.isInteger(backfillHours) || backfillHours < 0 || backfillHours > 2160)
    throw new Error(`pollBackfillHours must be 0-2160 (90 days), got ${params.pollBackfillHours}`);
  const tenantEvents = String(params.pollTenantEvents ?? true)
    .trim()
    .toLowerCase();
  if (tenantEvents !== 'true' && tenantEvents !== 'false')
    throw new Error(`pollTenantEvents must be true or false, got ${params.pollTenantEvents}`);
  const openaiBaseUrl = String(params.openaiBaseUrl ?? 'https://api.openai.com/v1');
  if (!/^https:\/\/[^/\s@]+(\/\S*)?$/.test(openaiBaseUrl))
    throw new Error(`openaiBaseUrl must be an https:// URL, got ${openaiBaseUrl}`);
  // For the IAM policy: arn:...:parameter/<name without the leading slash>, one per organization.
  const parameterArn = (name) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name.slice(1)}`,
  });
  return {
    cursorKey,
    overlapSeconds,
    backfillHours,
    // POLL_TENANT_EVENTS: poll each organization's tenant-scoped events too (tenant_only=true).
    tenantEvents,
    openaiBaseUrl,
    organizations,
    // What the function reads (ORGANIZATIONS): without the cursor keys it derives itself.
    organizationsJson: JSON.stringify(
      organizations.map(({ id, name, adminKeyParameter }) => ({ id, name, adminKeyParameter })),
    ),
    adminKeyParameterArns: organizations.map((org) => parameterArn(org.adminKeyParameter)),
    // Each organization's cursor items: its organization-scoped stream, and its tenant-scoped one
    // (lib/ingestion/poller/audit-log-stream.ts, streamCursorKey).
    cursorKeys: organizations.flatMap((org) =>
      tenantEvents === 'true' ? [org.cursorKey, `${org.cursorKey}#@tenant`] : [org.cursorKey],
    ),
    // For the detect role's deny: every cursor key there is or could be (organizations removed or
    // added later included); lib/ingestion/poller/cursor-key.ts keeps dedup keys out of it.
    cursorKeyPatterns: [cursorKey, `${cursorKey}#*`],
  };
}

/**
 * The webhook's settings from the deploy parameters. The roles allowed to send to the detection
 * queue are listed here (by logical id) for the queue's resource policy.
 * @param {Record<string, unknown>} params
 */
function webhookSettings(params = {}) {
  const enabled = String(params.webhookEnabled ?? 'false');
  if (enabled !== 'true' && enabled !== 'false')
    throw new Error(`webhookEnabled must be true or false, got ${params.webhookEnabled}`);
  const bearerAuth = String(params.webhookBearerAuth ?? 'false');
  if (bearerAuth !== 'true' && bearerAuth !== 'false')
    throw new Error(`webhookBearerAuth must be true or false, got ${params.webhookBearerAuth}`);
  const secretParameter = String(params.webhookSecretParameter ?? '/openai-audit-alerts/webhook-secret');
  if (!PARAMETER_NAME.test(secretParameter))
    throw new Error(`webhookSecretParameter must be a full SSM parameter name starting with /, got ${secretParameter}`);
  const bounded = (name, fallback, min, max) => {
    const value = Number(params[name] ?? fallback);
    if (
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (name !== 'webhookRateLimit' && !Number.isInteger(value))
    )
      throw new Error(`${name} must be ${min}-${max}, got ${params[name]}`);
    return value;
  };
  return {
    enabled,
    bearerAuth,
    secretParameter,
    secretParameterArn: {
      'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${secretParameter.slice(1)}`,
    },
    // API Gateway stage throttling: steady requests per second, and the burst above it.
    rateLimit: bounded('webhookRateLimit', 50, 1, 10000),
    burstLimit: bounded('webhookBurstLimit', 100, 1, 5000),
    // Concurrent executions reserved (and capped) for the webhook function; 0 while the webhook is
    // off, so the unreachable function cannot run at all and takes nothing from the account's pool.
    reservedConcurrency: enabled === 'true' ? bounded('webhookReservedConcurrency', 5, 1, 1000) : 0,
    path: '/v1/audit-events',
    roleLogicalId: 'WebhookRole',
  };
}

/** Logical ids of the roles that send to the detection queue: the poller's and the webhook's. */
const QUEUE_SENDER_ROLES = Object.freeze(['PollRole', 'WebhookRole']);

const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[A-Za-z0-9+=,.@_\-/]{1,512}$/;

/** Where an alert can go, and what to pass to add one: the package-time error tells people. */
const HOW_TO_ADD_A_DESTINATION = [
  'no alert destination is configured, so alerts would reach nobody. Add at least one:',
  '  --param="alertEmail=soc@example.com"',
  '  --param="pagerDutyRoutingKeyParameter=/openai-audit-alerts/pagerduty-routing-key"   (an SSM SecureString)',
  '  --param="slackWebhookUrlParameter=/openai-audit-alerts/slack-webhook-url"           (an SSM SecureString)',
  '  --param="alertWebhookUrl=https://siem.example.com/hooks/openai" --param="alertWebhookSecretParameter=/openai-audit-alerts/alert-webhook-secret"',
  'or, to deploy with alerts going nowhere on purpose, --param="acceptNoAlertDestination=true". See docs/deploy.md.',
].join('\n');

const HOW_TO_ADD_AN_OPS_DESTINATION = [
  'no destination is configured for the operations alarms (DLQ not empty, function errors...), so failures would go unnoticed. Add one:',
  '  --param="opsEmail=platform-oncall@example.com"',
  '  --param="opsPagerEndpoint=https://events.pagerduty.com/integration/<key>/enqueue"   (a pager integration that accepts CloudWatch alarms from SNS)',
  'or, on purpose, --param="acceptNoOpsDestination=true". See docs/deploy.md.',
].join('\n');

/**
 * The destinations as the deploy parameters configure them, checked: an alert destination and an
 * operations destination are required unless explicitly waived, URLs are https, secrets are SSM
 * parameter names (never values), operators are IAM role or user ARNs.
 * @param {Record<string, unknown>} params
 */
function destinationSettings(params) {
  const text = (name) => String(params[name] ?? '').trim();
  const flag = (name) => {
    const value = text(name).toLowerCase();
    if (!['', 'true', 'false'].includes(value)) throw new Error(`${name} must be true or false, got ${params[name]}`);
    return value === 'true';
  };
  const parameterName = (name) => {
    const value = text(name);
    if (value !== '' && !PARAMETER_NAME.test(value))
      throw new Error(
        `${name} must be the full name of an SSM parameter, starting with / (the parameter holds the secret; the secret itself never goes in a deploy parameter)`,
      );
    return value;
  };
  const httpsUrl = (name) => {
    const value = text(name);
    if (value !== '' && !/^https:\/\/[^\s/]+(\/\S*)?$/.test(value)) throw new Error(`${name} must be an https:// URL`);
    return value;
  };
  if (text('pagerEndpoint') !== '') {
    throw new Error(
      'pagerEndpoint was replaced: pagers do not accept raw SNS notifications. For PagerDuty, store the Events API v2 integration key in SSM and pass pagerDutyRoutingKeyParameter; for another service, use alertWebhookUrl (signed with Standard Webhooks). See docs/deploy.md.',
    );
  }
  const pagerDuty = {
    routingKeyParameter: parameterName('pagerDutyRoutingKeyParameter'),
    eventsUrl: httpsUrl('pagerDutyEventsUrl') || 'https://events.pagerduty.com/v2/enqueue',
  };
  const slack = { webhookUrlParameter: parameterName('slackWebhookUrlParameter') };
  const webhook = { url: httpsUrl('alertWebhookUrl'), secretParameter: parameterName('alertWebhookSecretParameter') };
  if ((webhook.url === '') !== (webhook.secretParameter === ''))
    throw new Error(
      'alertWebhookUrl and alertWebhookSecretParameter go together: the webhook is signed with the secret that parameter holds (a Standard Webhooks "whsec_..." secret)',
    );
  const acceptNoAlertDestination = flag('acceptNoAlertDestination');
  const acceptNoOpsDestination = flag('acceptNoOpsDestination');
  const email = text('alertEmail');
  const enabled = {
    email: email !== '',
    pagerDuty: pagerDuty.routingKeyParameter !== '',
    slack: slack.webhookUrlParameter !== '',
    webhook: webhook.url !== '',
  };
  const anyAlertDestination = Object.values(enabled).some(Boolean);
  if (!anyAlertDestination && !acceptNoAlertDestination) throw new Error(HOW_TO_ADD_A_DESTINATION);
  // Where PagerDuty and Slack link each rule's runbook: `{ruleId}` is replaced, or the id appended.
  const runbookBaseUrl = text('runbookBaseUrl');
  if (runbookBaseUrl !== '' && !/^https:\/\/[^\s/|<>&]+(\/[^\s|<>&]*)?$/.test(runbookBaseUrl))
    throw new Error(
      'runbookBaseUrl must be an https:// URL (with {ruleId} where the rule id goes, or the rule id is appended)',
    );
  const opsPagerEndpoint = httpsUrl('opsPagerEndpoint');
  if (text('opsEmail') === '' && opsPagerEndpoint === '' && !acceptNoOpsDestination)
    throw new Error(HOW_TO_ADD_AN_OPS_DESTINATION);
  const operators = text('operatorPrincipalArns')
    .split(',')
    .map((arn) => arn.trim())
    .filter((arn) => arn !== '');
  for (const arn of operators)
    if (!IAM_PRINCIPAL.test(arn))
      throw new Error(`operatorPrincipalArns: ${JSON.stringify(arn)} is not an IAM role or user ARN`);
  const parameterArn = (name) =>
    name === '' ? '' : { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}` };
  return {
    enabled: { ...enabled, http: enabled.pagerDuty || enabled.slack || enabled.webhook },
    pagerDuty: { ...pagerDuty, parameterArn: parameterArn(pagerDuty.routingKeyParameter) },
    slack: { ...slack, parameterArn: parameterArn(slack.webhookUrlParameter) },
    webhook: { ...webhook, parameterArn: parameterArn(webhook.secretParameter) },
    runbookBaseUrl,
    operators,
  };
}

/**
 * Who may do what to the queues, topics and archive, for their resource policies: everyone else is denied
 * explicitly. The senders of the detection queue are QUEUE_SENDER_ROLES (a new ingestion path adds
 * its role there, and nowhere else) and the operators. The account root stands in the operator lists so they are never empty (root can
 * rewrite any policy anyway).
 * @param {string[]} operators IAM principal ARNs from operatorPrincipalArns
 */
function principalSettings(operators) {
  const root = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' };
  const roleArn = (logicalId) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
  return {
    detectionQueueSenders: [...QUEUE_SENDER_ROLES.map(roleArn), ...operators],
    operators: [root, ...operators],
    // The archive's writers: events by the detect role, alerts by the deliver role; operators too
    // (to restore a previous version).
    archiveEventWriters: [roleArn('DetectRole'), root, ...operators],
    archiveAlertWriters: [roleArn('DeliverRole'), root, ...operators],
  };
}

/** The archive bucket's prefixes: what the functions write, and where Athena puts query results. */
const ARCHIVE_PREFIXES = Object.freeze({ events: 'events/', alerts: 'alerts/', queryResults: 'athena-results/' });

/**
 * The event and alert archive from the deploy parameters: how long objects are kept
 * (`archiveRetentionDays`, a positive whole number of days, default 400), the bucket's prefixes and
 * the names of its Glue database and Athena workgroup. Throws on a retention S3 would refuse.
 * @param {Record<string, unknown>} params
 * @param {{ service?: string, stage?: string }} [names] the service and stage the stack is named after
 */
function archiveSettings(params = {}, { service = 'openai-audit-alerts', stage = 'dev' } = {}) {
  const given = params.archiveRetentionDays ?? 400;
  const text = String(given).trim();
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new Error(
      `archiveRetentionDays must be a positive whole number of days (S3 expires archived events and alerts after it), got ${JSON.stringify(String(given).slice(0, 40))}`,
    );
  const retentionDays = Number(text);
  return {
    retentionDays,
    // Overwritten or deleted versions stay this long (versioning keeps what a writer replaced).
    noncurrentVersionDays: 30,
    // Athena's result files: query output, not evidence.
    queryResultsDays: Math.min(30, retentionDays),
    abortIncompleteUploadDays: 1,
    prefixes: ARCHIVE_PREFIXES,
    // Glue and Athena names: lower case letters, digits and underscores.
    database: `${service}_${stage}`.toLowerCase().replace(/[^a-z0-9_]/g, '_'),
    workGroup: `${service}-${stage}`,
    // Partition projection: the first day a `dt` partition may hold (OpenAI's audit log starts later).
    firstDay: '2023-01-01',
  };
}

/** The metrics the dashboard and the alarms read: every function's, in one namespace (lib/shared/powertools.ts). */
const METRICS_NAMESPACE = 'OpenAIAuditAlerts';

/** The destinations of the delivery function, as its metrics name them (`destination` dimension). */
const DELIVERY_DESTINATIONS = Object.freeze(['pagerduty', 'slack', 'webhook', 'archive']);

/**
 * The CloudWatch dashboard's body: a JSON text in a Fn::Join, with `${...}` CloudFormation
 * substitutions (the region, the queues, the webhook's API), the webhook's widgets only with the
 * webhook enabled (condition WebhookEnabled). Every metric is one the functions emit (the unions in
 * lib/pipeline/detect/telemetry.ts, lib/delivery/telemetry.ts, lib/ingestion/poller/poll-organizations.ts,
 * lib/ingestion/webhook/http-api.ts) or one AWS publishes; figures with no metric (alerts by
 * severity, the poller's lag) are Logs Insights widgets over the functions' log lines.
 * @param {{ service: string, stage: string }} names
 */
function dashboardBody({ service, stage }) {
  const prefix = `${service}-${stage}`;
  const region = '${AWS::Region}';
  const own = (metric) => [METRICS_NAMESPACE, metric, 'service', service];
  const queue = (suffix) => `${prefix}-${suffix}`;
  const sqs = (metric, suffix) => ['AWS/SQS', metric, 'QueueName', queue(suffix)];
  const logGroup = (fn) => `/aws/lambda/${prefix}-${fn}`;
  const metricWidget = (title, metrics, stat = 'Sum') => ({
    type: 'metric',
    properties: { title, region, view: 'timeSeries', stacked: false, period: 300, stat, metrics },
  });
  const logWidget = (title, source, query, view) => ({
    type: 'log',
    properties: { title, region, view, query: `SOURCE '${logGroup(source)}' | ${query}` },
  });
  const perDestination = (metrics) =>
    DELIVERY_DESTINATIONS.flatMap((destination) =>
      metrics.map((metric) => [METRICS_NAMESPACE, metric, 'destination', destination, 'service', service]),
    );
  const widgets = [
    metricWidget('Events received and matched (detect)', ['EventsReceived', 'EventsMatched'].map(own)),
    metricWidget(
      'Alerts published, escalated, suppressed (detect)',
      ['AlertsPublished', 'AlertsEscalated', 'AlertsSuppressed', 'MatchesSuppressed', 'BelowThreshold'].map(own),
    ),
    logWidget(
      'Alerts by severity (no metric: from the detect log lines "alert published" and "escalation published")',
      'detect',
      'filter message = "alert published" or message = "escalation published" | stats count(*) as alerts by severity',
      'bar',
    ),
    metricWidget(
      'Rule errors and failed records (detect)',
      ['RuleErrors', 'RecordsFailed', 'MalformedEvents', 'DeadLettered'].map(own),
    ),
    metricWidget(
      'Dead-letter queues: messages waiting',
      ['audit-events-dlq', 'alert-delivery-dlq', 'delivery-dlq'].map((suffix) =>
        sqs('ApproximateNumberOfMessagesVisible', suffix),
      ),
      'Maximum',
    ),
    metricWidget('Alerts delivered, per destination', perDestination(['AlertsDelivered'])),
    metricWidget(
      'Deliveries retried and deferred, per destination',
      perDestination(['DeliveryRetries', 'DeliveriesDeferred']),
    ),
    metricWidget(
      'Deliveries rejected (to the delivery DLQ), per destination',
      perDestination(['DeliveriesRejected', 'MalformedAlerts']),
    ),
    metricWidget(
      'Oldest message waiting: detection and delivery queues (seconds)',
      [
        sqs('ApproximateAgeOfOldestMessage', 'audit-events'),
        ...DELIVERY_DESTINATIONS.map((destination) => sqs('ApproximateAgeOfOldestMessage', `delivery-${destination}`)),
      ],
      'Maximum',
    ),
    metricWidget(
      'Dedup table throttles (DynamoDB)',
      ['ReadThrottleEvents', 'WriteThrottleEvents'].map((metric) => [
        'AWS/DynamoDB',
        metric,
        'TableName',
        `${prefix}-dedup`,
      ]),
    ),
    metricWidget(
      'Poller: audit events listed and enqueued, failures',
      [
        'AuditEventsListed',
        'AuditEventsEnqueued',
        'AuditEventsDeadLettered',
        'AuditEventsRedelivered',
        'PollErrors',
        'AuthFailures',
      ].map(own),
    ),
    logWidget(
      'Poller lag, seconds (no metric: log time minus the cursor of each "poll finished" line)',
      'poll',
      'filter message = "poll finished" and ispresent(highWater) | fields toMillis(@timestamp) / 1000 - highWater as lagSeconds | stats max(lagSeconds) as lagSeconds by bin(5m)',
      'timeSeries',
    ),
    metricWidget(
      'Archive: events archived and failed writes (detect)',
      ['EventsArchived', 'ArchiveWritesFailed'].map(own),
    ),
    metricWidget(
      'Function errors',
      ['detect', 'poll', 'webhook', 'deliver'].map((fn) => ['AWS/Lambda', 'Errors', 'FunctionName', `${prefix}-${fn}`]),
    ),
  ];
  // Only with webhookEnabled: the HTTP API's own 4xx/5xx (throttling included) and the function's.
  const webhookWidgets = [
    metricWidget(
      'Webhook: HTTP API 4xx and 5xx',
      ['4xx', '5xx'].map((metric) => ['AWS/ApiGateway', metric, 'ApiId', '${WebhookHttpApi}']),
    ),
    metricWidget(
      'Webhook: requests refused (4xx) and failed (5xx) by the function',
      ['WebhookRequestsAccepted', 'WebhookRequestsRefused', 'WebhookRequestsFailed', 'WebhookReplays'].map(own),
    ),
  ];
  const placed = (list, from) =>
    list.map((widget, index) => ({
      ...widget,
      x: ((from + index) % 2) * 12,
      y: Math.floor((from + index) / 2) * 6,
      width: 12,
      height: 6,
    }));
  const json = (list) => list.map((widget) => JSON.stringify(widget)).join(',');
  return {
    'Fn::Join': [
      '',
      [
        { 'Fn::Sub': `{"widgets":[${json(placed(widgets, 0))}` },
        { 'Fn::If': ['WebhookEnabled', { 'Fn::Sub': `,${json(placed(webhookWidgets, widgets.length))}` }, ''] },
        ']}',
      ],
    ],
  };
}

/** Every deploy parameter the settings read. */
const PARAMETERS = Object.freeze([
  'batchSize',
  'batchingWindowSeconds',
  'elevatedScopePolicy',
  'rulesConfig',
  'rulesDir',
  'tracing',
  'organizations',
  'adminKeyParameter',
  'pollOverlapSeconds',
  'pollBackfillHours',
  'pollTenantEvents',
  'openaiBaseUrl',
  'webhookEnabled',
  'webhookBearerAuth',
  'webhookSecretParameter',
  'webhookRateLimit',
  'webhookBurstLimit',
  'webhookReservedConcurrency',
  'alertEmail',
  'opsEmail',
  'opsPagerEndpoint',
  'runbookBaseUrl',
  'pagerEndpoint',
  'acceptNoAlertDestination',
  'acceptNoOpsDestination',
  'operatorPrincipalArns',
  'pagerDutyRoutingKeyParameter',
  'pagerDutyEventsUrl',
  'slackWebhookUrlParameter',
  'alertWebhookUrl',
  'alertWebhookSecretParameter',
  'archiveRetentionDays',
  ...['email', ...HTTP_DESTINATIONS].flatMap((prefix) => [`${prefix}MinSeverity`, `${prefix}Rules`]),
]);

/**
 * The rule configuration parameters (elevatedScopePolicy, rulesConfig) checked with the very
 * parsers the function runs at cold start (TypeScript, loaded through tsx), so a bad value stops
 * packaging with the parameter, the JSON path and the problem.
 * @param {Record<string, unknown>} params
 */
function checkRuleParams(params) {
  const { require: tsxRequire } = require('tsx/cjs/api');
  const { checkDetectionParams } = tsxRequire('../lib/config/deploy-params.ts', __filename);
  checkDetectionParams({
    elevatedScopePolicy: params.elevatedScopePolicy,
    rulesConfig: params.rulesConfig,
    rulesDir: params.rulesDir,
  });
}

/**
 * Copies the `rulesDir` deploy parameter's detections into the detection function's bundle (after
 * checkRuleParams compiled them) and returns the RULES_DIR it is deployed with ('' without one).
 * @param {Record<string, unknown>} params
 * @returns {string}
 */
function stageRules(params) {
  const { require: tsxRequire } = require('tsx/cjs/api');
  const { stageRulesFolder } = tsxRequire('../lib/config/deploy-params.ts', __filename);
  return stageRulesFolder(params.rulesDir, path.join(path.dirname(__filename), '..'));
}

/**
 * Lambda's X-Ray tracing mode from the `tracing` deploy parameter: `PassThrough` (the default: no
 * traces recorded by the functions) or `Active` (Lambda records each invocation; no tracing SDK is
 * bundled, so it costs the cold start nothing).
 * @param {unknown} value
 * @returns {'Active' | 'PassThrough'}
 */
function tracingMode(value) {
  const mode = String(value ?? '').trim() || 'PassThrough';
  if (mode !== 'Active' && mode !== 'PassThrough')
    throw new Error(`tracing must be Active or PassThrough, got ${JSON.stringify(mode.slice(0, 40))}`);
  return mode;
}

/**
 * The settings of one deployment, from its deploy parameters: pipelineSettings, the poller's and the
 * webhook's, the checked alert destinations, the principals of the resource policies, the archive
 * and the dashboard. Throws, at package time, with a message saying what to add or fix.
 * @param {Record<string, unknown>} params
 * @param {{ service?: string, stage?: string }} [names] the service and stage (default openai-audit-alerts, dev)
 */
function deploymentSettings(params, names = {}) {
  const { service = 'openai-audit-alerts', stage = 'dev' } = names;
  checkRuleParams(params);
  const settings = pipelineSettings(params);
  const destinations = destinationSettings(params);
  const archive = archiveSettings(params, { service, stage });
  const rulesDir = stageRules(params);
  return {
    ...settings,
    detect: { ...settings.detect, rulesDir },
    tracing: tracingMode(params.tracing),
    ingest: ingestSettings(params),
    webhook: webhookSettings(params),
    queueSenderRoles: QUEUE_SENDER_ROLES,
    delivery: { ...settings.delivery, destinations },
    principals: principalSettings(destinations.operators),
    archive,
    dashboard: { name: `${service}-${stage}`, body: dashboardBody({ service, stage }) },
  };
}

/**
 * The edit distance between two names, case-insensitive: how many letters to add, drop or change.
 * @param {string} a
 * @param {string} b
 */
function editDistance(a, b) {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[y.length];
}

/**
 * Checks the names of the `--param="name=value"` options against the parameters the stack
 * declares (`params.default` in serverless.yml): a misspelt name would otherwise be ignored, and
 * its default deployed. Throws, naming the closest known parameter.
 * @param {readonly string[]} given the `--param` values as the CLI passed them
 * @param {readonly string[]} known
 */
function checkParamNames(given, known) {
  for (const entry of given) {
    const at = entry.indexOf('=');
    const name = at < 0 ? entry : entry.slice(0, at);
    if (at < 1) throw new Error(`--param=${JSON.stringify(entry.slice(0, 80))} is not name=value. See docs/deploy.md.`);
    if (known.includes(name)) continue;
    let closest = '';
    let distance = Number.POSITIVE_INFINITY;
    for (const candidate of known) {
      const d = editDistance(name, candidate);
      if (d < distance) [closest, distance] = [candidate, d];
    }
    const near = distance <= Math.max(2, Math.floor(name.length / 3));
    throw new Error(
      `unknown deploy parameter ${JSON.stringify(name.slice(0, 80))}${near ? `; did you mean ${JSON.stringify(closest)}?` : ''} ` +
        'Every parameter is listed in docs/deploy.md.',
    );
  }
}

/**
 * A refusal as the packager prints it: the message alone, without a stack trace (a programming error
 * keeps its stack).
 * @param {unknown} error
 */
function refusal(error) {
  // The framework's own errors (a variable not resolved yet, to be retried) carry a code: untouched.
  if (!(error instanceof Error) || 'code' in error || error instanceof TypeError || error instanceof ReferenceError)
    return error;
  const clean = new Error(error.message);
  clean.stack = '';
  return clean;
}

/** Serverless variable resolver: the settings for this deployment's parameters, after checking their names. */
async function resolveForServerless({ resolveVariable, resolveConfigurationProperty, options }) {
  try {
    const declared = await resolveConfigurationProperty(['params', 'default']);
    const given = Array.isArray(options?.param) ? options.param : options?.param ? [options.param] : [];
    checkParamNames(given.map(String), Object.keys(declared ?? {}));
    const params = {};
    for (const name of PARAMETERS) params[name] = await resolveVariable(`param:${name}`);
    const service = String(await resolveConfigurationProperty(['service']));
    const stage = String(await resolveVariable('sls:stage'));
    return deploymentSettings(params, { service, stage });
  } catch (error) {
    throw refusal(error);
  }
}

module.exports = resolveForServerless;
module.exports.pipelineSettings = pipelineSettings;
module.exports.ingestSettings = ingestSettings;
module.exports.webhookSettings = webhookSettings;
module.exports.archiveSettings = archiveSettings;
module.exports.dashboardBody = dashboardBody;
module.exports.DELIVERY_DESTINATIONS = DELIVERY_DESTINATIONS;
module.exports.deploymentSettings = deploymentSettings;
module.exports.QUEUE_SENDER_ROLES = QUEUE_SENDER_ROLES;
module.exports.checkRuleParams = checkRuleParams;
module.exports.checkParamNames = checkParamNames;
module.exports.tracingMode = tracingMode;
module.exports.DEFAULTS = DEFAULTS;
module.exports.SEVERITIES = SEVERITIES;
module.exports.DEDUP = DEDUP;
module.exports.checkProtocolOrder = checkProtocolOrder;
