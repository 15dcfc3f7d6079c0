import { describe, expect, it } from 'vitest';
import { maxSeverity, parseSeverity, severityRank } from '../../../../lib/detection/engine/severity.ts';

describe('severity', () => {
  it('parses names case-insensitively and rejects others', () => {
    expect(parseSeverity('high')).toBe('HIGH');
    expect(parseSeverity('Critical')).toBe('CRITICAL');
    expect(parseSeverity('SEVERE')).toBeUndefined();
    expect(parseSeverity(3)).toBeUndefined();
    expect(parseSeverity(' HIGH')).toBeUndefined();
  });

  it('orders INFO < LOW < MEDIUM < HIGH < CRITICAL', () => {
    expect(severityRank('INFO')).toBeLessThan(severityRank('LOW'));
    expect(severityRank('HIGH')).toBeLessThan(severityRank('CRITICAL'));
    expect(maxSeverity('MEDIUM', 'HIGH')).toBe('HIGH');
    expect(maxSeverity('CRITICAL', 'LOW')).toBe('CRITICAL');
  });
});
