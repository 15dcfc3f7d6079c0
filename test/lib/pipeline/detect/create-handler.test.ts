import { describe, expect, it } from 'vitest';
import { MAX_THRESHOLD } from '../../../../lib/pipeline/dedup/constants.ts';
import { checkThresholds } from '../../../../lib/pipeline/detect/create-handler.ts';

const rule = (id: string, threshold = 1, createAlert = true) => ({ id, threshold, createAlert });

describe('checkThresholds', () => {
  it('accepts thresholds a dedup window counts exactly, up to the events it tracks', () => {
    expect(() => checkThresholds([rule('A'), rule('B', MAX_THRESHOLD), rule('Signal', 999_999, false)])).not.toThrow();
  });

  it('refuses a rule whose threshold is above them, naming it', () => {
    expect(() => checkThresholds([rule('A'), rule('Big.Threshold', MAX_THRESHOLD + 1)])).toThrow(
      `rule Big.Threshold: threshold ${MAX_THRESHOLD + 1} is above the ${MAX_THRESHOLD} events a dedup window counts exactly`,
    );
  });
});
