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
    // The poller's cursor is one item of the dedup table; its role may touch only this key.
    ingest: { cursorKey: 'ingest-cursor', overlapSeconds: 600, backfillHours: 24 },
    pager: { minSeverity: pagerMinSeverity, severities: SEVERITIES.slice(minIndex) },
    logRetentionDays: 30,
  };
}

/** Serverless variable resolver: the settings for this deployment's parameters. */
async function resolveForServerless({ resolveVariable }) {
  const param = async (name) => resolveVariable(`param:${name}`);
  const settings = pipelineSettings({
    batchSize: await param('batchSize'),
    batchingWindowSeconds: await param('batchingWindowSeconds'),
    pagerMinSeverity: await param('pagerMinSeverity'),
  });
  const adminKeyParameter = String(await param('adminKeyParameter'));
  if (!adminKeyParameter.startsWith('/')) throw new Error(`adminKeyParameter must be a full SSM parameter name starting with /, got ${adminKeyParameter}`);
  // For the parameter's ARN: arn:...:parameter/<name without the leading slash>.
  return { ...settings, ingest: { ...settings.ingest, adminKeyParameterPath: adminKeyParameter.slice(1) } };
}

module.exports = resolveForServerless;
module.exports.pipelineSettings = pipelineSettings;
module.exports.DEFAULTS = DEFAULTS;
module.exports.SEVERITIES = SEVERITIES;
