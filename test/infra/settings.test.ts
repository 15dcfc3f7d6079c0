import { describe, expect, it } from 'vitest';
import { pipelineSettings } from '../../lib/tooling/local/settings.ts';

describe('infra/settings.cjs', () => {
  it('derives the visibility timeout from the function timeout and the batching window', () => {
    const settings = pipelineSettings();
    expect(settings.queue.visibilityTimeoutSeconds).toBe(6 * settings.detect.timeoutSeconds + settings.detect.batchingWindowSeconds);
    expect(pipelineSettings({ batchingWindowSeconds: 60 }).queue.visibilityTimeoutSeconds).toBe(6 * 30 + 60);
  });

  it('lists the pager severities at and above the minimum', () => {
    expect(pipelineSettings().pager.severities).toEqual(['HIGH', 'CRITICAL']);
    expect(pipelineSettings({ pagerMinSeverity: 'low' }).pager.severities).toEqual(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
  });

  it.each([
    [{ batchSize: 0 }, 'batchSize must be 1-10000'],
    [{ batchSize: 100, batchingWindowSeconds: 0 }, 'batchSize over 10 needs batchingWindowSeconds of at least 1'],
    [{ batchingWindowSeconds: 301 }, 'batchingWindowSeconds must be 0-300'],
    [{ pagerMinSeverity: 'URGENT' }, 'pagerMinSeverity must be one of INFO, LOW, MEDIUM, HIGH, CRITICAL'],
  ])('rejects %j', (params, message) => {
    expect(() => pipelineSettings(params)).toThrow(message);
  });
});
