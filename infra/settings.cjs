// The pipeline's names and settings, in one place: serverless.yml resolves this file at package
// time (`${file(./infra/settings.cjs)}`), and the local runner (npm start) imports it, so the
// deployed stack and the local one cannot drift. CommonJS because Serverless loads it with require.
'use strict';

const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** Defaults of the deploy parameters (serverless.yml `params.default` repeats them for the CLI). */
const DEFAULTS = Object.freeze({
  batchSize: 10,
  batchingWindowSeconds: 5,
  pagerMinSeverity: 'HIGH',
  logLevel: 'INFO',
});

/**
 * Everything derived from the parameters. Throws on values AWS would reject later.
 * @param {{ batchSize?: number|string, batchingWindowSeconds?: number|string, pagerMinSeverity?: string }} params
 */
function pipelineSettings(params = {}) {
  const batchSize = Number(params.batchSize ?? DEFAULTS.batchSize);
  const batchingWindowSeconds = Number(params.batchingWindowSeconds ?? DEFAULTS.batchingWindowSeconds);
  const pagerMinSeverity = String(params.pagerMinSeverity ?? DEFAULTS.pagerMinSeverity).toUpperCase();
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000) throw new Error(`batchSize must be 1-10000, got ${params.batchSize}`);
  if (batchSize > 10 && batchingWindowSeconds < 1) throw new Error('batchSize over 10 needs batchingWindowSeconds of at least 1 (Lambda rule)');
  if (!Number.isInteger(batchingWindowSeconds) || batchingWindowSeconds < 0 || batchingWindowSeconds > 300) {
    throw new Error(`batchingWindowSeconds must be 0-300, got ${params.batchingWindowSeconds}`);
  }
  const minIndex = SEVERITIES.indexOf(pagerMinSeverity);
  if (minIndex < 0) throw new Error(`pagerMinSeverity must be one of ${SEVERITIES.join(', ')}, got ${params.pagerMinSeverity}`);

  const detectTimeoutSeconds = 30;
  return {
    service: 'openai-audit-alerts',
    detect: {
      timeoutSeconds: detectTimeoutSeconds,
      memorySize: 512,
      batchSize,
      batchingWindowSeconds,
      eventConcurrency: 8,
      leaseSeconds: 60,
    },
    queue: {
      // AWS: at least six times the function timeout, plus the batching window.
      visibilityTimeoutSeconds: 6 * detectTimeoutSeconds + batchingWindowSeconds,
      retentionSeconds: 4 * 24 * 3600,
      maxReceiveCount: 5,
    },
    deadLetterQueue: { retentionSeconds: 14 * 24 * 3600 },
    table: { partitionKey: 'pk', ttlAttribute: 'expiresAt' },
    alarms: { oldestMessageAgeSeconds: 900, periodSeconds: 300 },
    pager: { minSeverity: pagerMinSeverity, severities: SEVERITIES.slice(minIndex) },
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
    if (!PARAMETER_NAME.test(adminKeyParameter)) throw new Error(`adminKeyParameter must be a full SSM parameter name starting with /, got ${adminKeyParameter}`);
    return [{ id: 'default', name: '', adminKeyParameter, cursorKey }];
  }
  let list;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new Error('organizations must be JSON: [{"id": "org-...", "name": "...", "adminKeyParameter": "/..."}]');
  }
  if (!Array.isArray(list) || list.length === 0 || list.length > 20) throw new Error('organizations must be a JSON array of 1 to 20 organizations');
  const ids = new Set();
  return list.map((entry, index) => {
    const where = `organizations[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where} must be an object`);
    if (typeof entry.id !== 'string' || !ORGANIZATION_ID.test(entry.id)) throw new Error(`${where}.id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit`);
    if (ids.has(entry.id)) throw new Error(`${where}.id ${entry.id} is listed twice`);
    ids.add(entry.id);
    if (entry.name !== undefined && (typeof entry.name !== 'string' || entry.name.length > 64)) throw new Error(`${where}.name must be a string of at most 64 characters`);
    const adminKeyParameter = entry.adminKeyParameter ?? `/openai-audit-alerts/${entry.id}/admin-key`;
    if (typeof adminKeyParameter !== 'string' || !PARAMETER_NAME.test(adminKeyParameter)) throw new Error(`${where}.adminKeyParameter must be a full SSM parameter name starting with /`);
    return { id: entry.id, name: entry.name ?? '', adminKeyParameter, cursorKey: entry.id === 'default' ? cursorKey : `${cursorKey}#${entry.id}` };
  });
}

/**
 * The poller's settings from the deploy parameters: organizations, overlap, backfill, API.
 * @param {Record<string, unknown>} params
 */
function ingestSettings(params = {}) {
  const cursorKey = 'ingest-cursor';
  const organizations = pollOrganizations({ organizations: params.organizations, adminKeyParameter: params.adminKeyParameter, cursorKey });
  const overlapSeconds = Number(params.pollOverlapSeconds ?? 600);
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > 3600) throw new Error(`pollOverlapSeconds must be 0-3600, got ${params.pollOverlapSeconds}`);
  const backfillHours = Number(params.pollBackfillHours ?? 24);
  if (!Number.isInteger(backfillHours) || backfillHours < 0 || backfillHours > 2160) throw new Error(`pollBackfillHours must be 0-2160 (90 days), got ${params.pollBackfillHours}`);
  const openaiBaseUrl = String(params.openaiBaseUrl ?? 'https://api.openai.com/v1');
  if (!/^https:\/\/[^/\s@]+(\/\S*)?$/.test(openaiBaseUrl)) throw new Error(`openaiBaseUrl must be an https:// URL, got ${openaiBaseUrl}`);
  // For the IAM policy: arn:...:parameter/<name without the leading slash>, one per organization.
  const parameterArn = (name) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name.slice(1)}` });
  return {
    cursorKey,
    overlapSeconds,
    backfillHours,
    openaiBaseUrl,
    organizations,
    // What the function reads (ORGANIZATIONS): without the cursor keys it derives itself.
    organizationsJson: JSON.stringify(organizations.map(({ id, name, adminKeyParameter }) => ({ id, name, adminKeyParameter }))),
    adminKeyParameterArns: organizations.map((org) => parameterArn(org.adminKeyParameter)),
    cursorKeys: organizations.map((org) => org.cursorKey),
  };
}

/**
 * The webhook's settings from the deploy parameters. The roles allowed to send to the detection
 * queue are listed here (by logical id) for the queue's resource policy.
 * @param {Record<string, unknown>} params
 */
function webhookSettings(params = {}) {
  const enabled = String(params.webhookEnabled ?? 'false');
  if (enabled !== 'true' && enabled !== 'false') throw new Error(`webhookEnabled must be true or false, got ${params.webhookEnabled}`);
  const bearerAuth = String(params.webhookBearerAuth ?? 'false');
  if (bearerAuth !== 'true' && bearerAuth !== 'false') throw new Error(`webhookBearerAuth must be true or false, got ${params.webhookBearerAuth}`);
  const secretParameter = String(params.webhookSecretParameter ?? '/openai-audit-alerts/webhook-secret');
  if (!PARAMETER_NAME.test(secretParameter)) throw new Error(`webhookSecretParameter must be a full SSM parameter name starting with /, got ${secretParameter}`);
  const bounded = (name, fallback, min, max) => {
    const value = Number(params[name] ?? fallback);
    if (!Number.isFinite(value) || value < min || value > max || (name !== 'webhookRateLimit' && !Number.isInteger(value))) throw new Error(`${name} must be ${min}-${max}, got ${params[name]}`);
    return value;
  };
  return {
    enabled,
    bearerAuth,
    secretParameter,
    secretParameterArn: { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${secretParameter.slice(1)}` },
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

/** Serverless variable resolver: the settings for this deployment's parameters. */
async function resolveForServerless({ resolveVariable }) {
  const param = async (name) => resolveVariable(`param:${name}`);
  const settings = pipelineSettings({
    batchSize: await param('batchSize'),
    batchingWindowSeconds: await param('batchingWindowSeconds'),
    pagerMinSeverity: await param('pagerMinSeverity'),
  });
  const ingest = ingestSettings({
    organizations: await param('organizations'),
    adminKeyParameter: await param('adminKeyParameter'),
    pollOverlapSeconds: await param('pollOverlapSeconds'),
    pollBackfillHours: await param('pollBackfillHours'),
    openaiBaseUrl: await param('openaiBaseUrl'),
  });
  const webhook = webhookSettings({
    webhookEnabled: await param('webhookEnabled'),
    webhookBearerAuth: await param('webhookBearerAuth'),
    webhookSecretParameter: await param('webhookSecretParameter'),
    webhookRateLimit: await param('webhookRateLimit'),
    webhookBurstLimit: await param('webhookBurstLimit'),
    webhookReservedConcurrency: await param('webhookReservedConcurrency'),
  });
  return { ...settings, ingest, webhook, queueSenderRoles: QUEUE_SENDER_ROLES };
}

module.exports = resolveForServerless;
module.exports.pipelineSettings = pipelineSettings;
module.exports.ingestSettings = ingestSettings;
module.exports.webhookSettings = webhookSettings;
module.exports.QUEUE_SENDER_ROLES = QUEUE_SENDER_ROLES;
module.exports.DEFAULTS = DEFAULTS;
module.exports.SEVERITIES = SEVERITIES;
