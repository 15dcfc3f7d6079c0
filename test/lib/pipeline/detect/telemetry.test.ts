// The telemetry adapters: masking in front of any sink, and the silent sink (the Powertools sink is
// tested with lib/shared/powertools.ts).
import { describe, expect, it } from 'vitest';
import { SILENT_TELEMETRY, maskingTelemetry } from '../../../../lib/pipeline/detect/telemetry.ts';
import { recordingTelemetry } from '../../../support/recording-telemetry.ts';

const KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';

describe('maskingTelemetry', () => {
  it('masks secrets in the message and string fields, keeps other values as they are', () => {
    const recorder = recordingTelemetry();
    const telemetry = maskingTelemetry(recorder.telemetry);
    telemetry.log('WARN', `key ${KEY} seen`, { eventId: `e-${KEY}`, count: 3, takeover: true, missing: undefined });
    telemetry.count('AlertsEscalated', 2);
    expect(recorder.logs).toEqual([
      {
        level: 'WARN',
        message: 'key sk-proj-…6789 seen',
        fields: { eventId: 'e-sk-proj-…6789', count: 3, takeover: true, missing: undefined },
      },
    ]);
    expect(recorder.count('AlertsEscalated')).toBe(2);
    telemetry.log('INFO', 'no fields');
    expect(recorder.logs[1]).toEqual({ level: 'INFO', message: 'no fields', fields: {} });
  });

  it('has a silent sink that accepts everything', () => {
    expect(SILENT_TELEMETRY.log('ERROR', 'x', { a: 1 })).toBeUndefined();
    expect(SILENT_TELEMETRY.count('DeadLettered', 1)).toBeUndefined();
  });
});
