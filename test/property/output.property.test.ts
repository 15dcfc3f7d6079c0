// Property-based tests of what leaves the pipeline: SNS subjects, the SNS size capper, email text,
// secret masking, and message bodies of any shape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertDocument } from '../../lib/pipeline/alerts/alert-document.ts';
import { renderEmailText } from '../../lib/pipeline/alerts/email-text.ts';
import { buildSnsAlertMessage, snsMessageBytes } from '../../lib/pipeline/alerts/sns-message.ts';
import { sanitizeSubject } from '../../lib/pipeline/alerts/subject.ts';
import { messageContent } from '../../lib/pipeline/intake/message-body.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../lib/detection/openai/constants.ts';
import { createRuleCatalog } from '../../lib/detection/rules/create-rule-catalog.ts';
import { maskSecrets } from '../../lib/shared/mask-secrets.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const rawString = fc.string({ unit: anyUnit, maxLength: 80 });
const UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
const key = fc
  .tuple(
    fc.constantFrom('sk-', 'sk-proj-', 'sk-admin-', 'sk-svcacct-'),
    fc.string({ unit: fc.constantFrom(...'abcXYZ0189_-'), minLength: 20, maxLength: 60 }),
  )
  // Real keys are random: they carry a digit (a 48-character legacy key without one is rare, and
  // masked anyway by its length).
  .map(([prefix, body]) => `${prefix}${body}7`);

const alertOf = (title: string, context: Record<string, unknown>): AlertDocument => ({
  version: 1,
  alertId: 'a'.repeat(32),
  ruleId: 'R',
  ruleName: 'Rule',
  severity: 'HIGH',
  title,
  dedupKey: 'R:t:user:u',
  createdAt: '2026-01-01T00:00:00.000Z',
  windowStart: '2026-01-01T00:00:00.000Z',
  windowEndsAt: '2026-01-01T01:00:00.000Z',
  escalatesAlertId: null,
  escalatedFromSeverity: null,
  description: 'd',
  runbook: 'r',
  reference: 'https://x',
  mitre: [],
  logType: 'OpenAI.Audit',
  eventCount: 1,
  eventId: 'e',
  eventType: 't',
  eventTime: null,
  alertContext: context as AlertDocument['alertContext'],
});

describe('output properties', () => {
  it('every subject is one SNS accepts: printable ASCII, under 100 characters, starting with a letter or digit', () => {
    fc.assert(
      fc.property(rawString, (text) => {
        expect(sanitizeSubject(text)).toMatch(/^[A-Za-z0-9][\x20-\x7e]{0,98}$/);
      }),
      { numRuns: RUNS },
    );
  });

  it('the SNS message always fits its limit and keeps the identifying fields', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ maxLength: 10 }),
          fc.oneof(fc.string({ maxLength: 3000 }), fc.jsonValue({ maxDepth: 2 })),
          { maxKeys: 20 },
        ),
        fc.integer({ min: 8_000, max: 60_000 }),
        (context, limit) => {
          const alert = alertOf('T', context);
          const message = buildSnsAlertMessage(alert, limit);
          expect(snsMessageBytes(message)).toBeLessThanOrEqual(limit);
          const published = JSON.parse((JSON.parse(message.Message) as { default: string }).default) as AlertDocument;
          expect({ ...published, alertContext: null }).toEqual({ ...alert, alertContext: null });
        },
      ),
      { numRuns: Math.min(RUNS, 20_000) },
    );
  });

  it('email text carries no control, bidi or invisible character, and no API key, whatever the event holds', () => {
    fc.assert(
      fc.property(
        rawString,
        fc.dictionary(rawString, fc.oneof(rawString, fc.array(rawString, { maxLength: 4 })), { maxKeys: 6 }),
        key,
        (title, context, secret) => {
          const text = renderEmailText(alertOf(title, { ...context, user_agent: `${title}${secret}` }));
          expect(text).not.toMatch(UNSAFE);
          expect(text).not.toContain(secret);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('no API key survives masking, wherever it stands in a text', () => {
    fc.assert(
      fc.property(rawString, key, rawString, (before, secret, after) => {
        const text = `${before}${secret}${after}`;
        expect(maskSecrets(text)).not.toContain(secret);
      }),
      { numRuns: RUNS },
    );
  });

  it('message bodies of any shape never throw, and only key events can alert', () => {
    const catalog = createRuleCatalog();
    const body = fc.oneof(
      rawString,
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify({ Type: 'Notification', Message: JSON.stringify(v) })),
    );
    fc.assert(
      fc.property(body, (text) => {
        const content = messageContent(text);
        if (content.kind === 'malformed') return;
        for (const { event } of content.events) {
          const { matches, errors } = catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event);
          expect(errors).toEqual([]);
          if (event.type !== 'api_key.created' && event.type !== 'api_key.updated') expect(matches).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
