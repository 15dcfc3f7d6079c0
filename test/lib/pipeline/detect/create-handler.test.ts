import { describe, expect, it } from 'vitest';
import { MAX_TRACKED_EVENT_IDS } from '../../../../lib/pipeline/dedup/constants.ts';
import { checkThresholds } from '../../../../lib/pipeline/detect/create-handler.ts';
import { testRule } from '../../../support/test-rule.ts';

describe('checkThresholds', () => {
  it('accepts thresholds a dedup window counts exactly, up to the events it tracks', () => {
    expect(() =>
      checkThresholds([testRule('A', 'L'), testRule('B', 'L', { threshold: MAX_TRACKED_EVENT_IDS })]),
    ).not.toThrow();
  });

  it('refuses a rule whose threshold is above them, naming it', () => {
    expect(() =>
      checkThresholds([testRule('A', 'L'), testRule('Big.Threshold', 'L', { threshold: MAX_TRACKED_EVENT_IDS + 1 })]),
    ).toThrow(
      `rule Big.Threshold: threshold ${MAX_TRACKED_EVENT_IDS + 1} is above the ${MAX_TRACKED_EVENT_IDS} events a dedup window tracks`,
    );
  });
});
