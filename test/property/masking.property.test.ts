// Property-based tests of masking and escaping at every builder of what leaves the system: an API
// key anywhere in an event's strings (values, member names, next to a cut) and any character at all
// never come out as a usable key head or a raw terminal control.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../lib/detection/engine/catalog.ts';
import type { RuleMatch } from '../../lib/detection/engine/result.ts';
import { openAiAuditLogType } from '../../lib/detection/openai/log-type.ts';
import type { AuditEvent } from '../../lib/detection/openai/audit-event.ts';
import { pagerDutyEventBody } from '../../lib/delivery/pagerduty.ts';
import { slackMessage } from '../../lib/delivery/slack.ts';
import { webhookDelivery } from '../../lib/delivery/webhook.ts';
import { buildAlert } from '../../lib/pipeline/alerts/alert-document.ts';
import { buildSnsAlertMessage } from '../../lib/pipeline/alerts/sns-message.ts';
import { outputJson } from '../../lib/shared/output-json.ts';
import { printable, quote } from '../../lib/shared/printable.ts';
import { printedLine } from '../../lib/tooling/cli/commands/evaluate.ts';
import { alertText } from '../../lib/tooling/local/alert-text.ts';
import { testRule } from '../support/test-rule.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const rawString = fc.string({ unit: anyUnit, maxLength: 40 });
// Raw characters a terminal or log viewer acts on (tab and line feed aside: text formats use them).
const UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
const KEY_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'];

/** A key: a prefix, then a random body that starts with a digit (so its head is never a prefix). */
const secret = fc
  .tuple(
    fc.constantFrom('sk-', 'sk-proj-', 'sk-admin-', 'sk-svcacct-'),
    fc.constantFrom(...'0123456789'),
    fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 19, maxLength: 60 }),
  )
  .map(([prefix, first, rest]) => ({ key: `${prefix}${first}${rest}`, head: `${prefix}${first}` }));

/** Any text with a key somewhere in it; `head` is what no output may show. */
const hostile = fc
  .tuple(rawString, secret, rawString)
  .map(([before, { key, head }, after]) => ({ text: `${before}${key}${after}`, head }));

function expectNoHead(output: string, heads: readonly string[]): void {
  for (const head of heads) expect(output).not.toContain(head);
}

describe('masking and escaping properties', () => {
  it('printable, quote and outputJson mask a key before any cut and leave no raw control, at any limit', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 0, max: 140 }), ({ text, head }, limit) => {
        for (const output of [printable(text, limit), quote(text, limit), outputJson({ [text]: text })]) {
          expectNoHead(output, [head]);
          expect(output).not.toMatch(UNSAFE);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('an alert built from any title, dedup string, event id and alert context (keys included) carries no key head anywhere it goes', () => {
    const current = { title: '', dedup: '', context: {} as Record<string, unknown> };
    const catalog = new RuleCatalog().register(openAiAuditLogType, [
      testRule<AuditEvent>('Property.Rule', {
        displayName: 'Property Rule',
        title: () => current.title,
        dedup: () => current.dedup,
        alertContext: () => current.context,
      }),
    ]);
    const member = fc.oneof(
      hostile,
      rawString.map((text) => ({ text, head: undefined })),
    );
    fc.assert(
      fc.property(
        hostile,
        hostile,
        fc.integer({ min: 900, max: 1000 }),
        hostile,
        fc.array(fc.tuple(member, member, fc.boolean()), { maxLength: 5 }),
        (title, dedup, pad, eventId, members) => {
          const heads = [title.head, dedup.head, eventId.head];
          const context: Record<string, unknown> = {};
          for (const [name, value, nested] of members) {
            context[name.text] = nested ? { [value.text]: [value.text] } : value.text;
            for (const head of [name.head, value.head]) if (head !== undefined) heads.push(head);
          }
          Object.assign(current, { title: title.text, dedup: `${'d'.repeat(pad)}${dedup.text}`, context });
          const { matches, errors } = catalog.evaluate('OpenAI.Audit', { id: eventId.text, type: 'api_key.created' });
          expect(errors).toEqual([]);
          const match = matches[0] as RuleMatch;
          const window = {
            alertId: 'a'.repeat(32),
            firstAlertId: 'a'.repeat(32),
            windowStart: 1_800_000_000,
            windowEndsAt: 1_800_003_600,
            eventCount: 1,
            severity: 'HIGH' as const,
            escalatedFrom: undefined,
          };
          const alert = buildAlert(match, window, 'OpenAI.Audit', 1_800_000_000);
          const sns = buildSnsAlertMessage(alert);
          // The published document and the stored copy (the same text): keys masked, controls as they were.
          for (const output of [JSON.stringify(alert), sns.Message, sns.Subject]) expectNoHead(output, heads);
          // What people and terminals read: keys masked and controls escaped.
          const shown = [
            printedLine(match),
            outputJson(alert),
            alertText(alert),
            pagerDutyEventBody(alert, 'routing-key'),
            JSON.stringify(slackMessage(alert)),
            webhookDelivery(alert, [Buffer.from('secret')], 1_800_000_000).body,
            (JSON.parse(sns.Message) as { email: string }).email,
          ];
          for (const output of shown) {
            expectNoHead(output, heads);
            expect(output).not.toMatch(UNSAFE);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
