import type { AlertDocument } from '../pipeline/alerts/alert-document.ts';
import type { Severity } from '../detection/engine/severity.ts';
import { printable } from '../shared/printable.ts';
import { escalatedFrom } from './alert-message.ts';
import {
  SLACK_FALLBACK_TEXT_MAX_CHARS,
  SLACK_FIELD_MAX_CHARS,
  SLACK_HEADER_MAX_CHARS,
  SLACK_MAX_CONTEXT_ELEMENTS,
  SLACK_MAX_FIELDS,
  SLACK_SECTION_TEXT_MAX_CHARS,
} from './constants.ts';
import { contextText, cutChars } from './text.ts';
import { runbookLink } from './runbook-link.ts';

/** A Block Kit text object. `verbatim` stops Slack from turning text into links and mentions. */
export type SlackText =
  | { readonly type: 'plain_text'; readonly text: string; readonly emoji?: boolean }
  | { readonly type: 'mrkdwn'; readonly text: string; readonly verbatim?: boolean };

/** The blocks an alert message uses. */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'divider' };

/** An incoming-webhook message: the notification text and the blocks. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

const EMOJI: Readonly<Record<Severity, string>> = {
  CRITICAL: ':rotating_light:',
  HIGH: ':red_circle:',
  MEDIUM: ':large_orange_circle:',
  LOW: ':large_yellow_circle:',
  INFO: ':information_source:',
};

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Text for a mrkdwn object, within `max` characters as sent: `&`, `<` and `>` become entities (Slack
 * reads them as control characters: links, mentions, `<!channel>`), control, bidi and invisible
 * characters are escaped and API keys masked. An entity is never cut in half.
 *
 * @example
 * ```ts
 * mrkdwnText('<!channel> a&b', 100); // '&lt;!channel&gt; a&amp;b'
 * ```
 */
export function mrkdwnText(untrusted: string, max: number): string {
  let out = '';
  for (const ch of printable(untrusted, max)) {
    const piece = ENTITIES[ch] ?? ch;
    if (out.length + piece.length > max - 1) return `${out}…`;
    out += piece;
  }
  return out;
}

const mrkdwn = (text: string): SlackText => ({ type: 'mrkdwn', text, verbatim: true });

/** `*Label*` then the value on the next line, the whole within a field's limit. */
function field(label: string, value: string): SlackText {
  const head = `*${label}*\n`;
  return mrkdwn(head + mrkdwnText(value, SLACK_FIELD_MAX_CHARS - head.length));
}

/** What a key holds when it has no scopes to list (the rule's `key_permissions`); nothing for a scoped key. */
function permissions(value: string | undefined): string | undefined {
  if (value === 'unrestricted') return 'unrestricted: every permission (no scopes)';
  if (value === 'unrecorded') return 'scopes not recorded';
  return undefined;
}

function detailFields(alert: AlertDocument): SlackText[] {
  const c = alert.alertContext;
  const get = (key: string) => contextText(c[key]);
  const actor =
    get('actor_email') === undefined
      ? get('actor_id')
      : [get('actor_email'), get('actor_id') && `(${get('actor_id')})`].filter(Boolean).join(' ');
  const place = [get('source_city'), get('source_region'), get('source_country')].filter(Boolean).join(', ');
  const source = [get('source_ip'), place && `(${place})`].filter(Boolean).join(' ');
  const event = [alert.eventType, alert.eventId].filter((part): part is string => part !== null).join(' · ');
  const candidates: Array<[string, string | undefined]> = [
    ['Severity', alert.severity],
    ['Rule', `${alert.ruleName} (${alert.ruleId})`],
    ['Actor', actor || undefined],
    ['API key', get('api_key_id')],
    ['Permissions', permissions(get('key_permissions'))],
    ['Scopes', get('api_key_scopes')],
    ['Elevated scopes', get('elevated_scopes')],
    ['Source IP', source || undefined],
    ['Event', event || undefined],
    ['Event time', alert.eventTime ?? undefined],
    // Last: with every other field present, Block Kit's ten fields leave it out (it stays in the
    // alert's other destinations and in the event).
    ['User agent', get('user_agent')],
  ];
  return candidates
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .slice(0, SLACK_MAX_FIELDS)
    .map(([label, value]) => field(label, value));
}

function runbookSection(runbook: string): SlackText {
  const head = '*Runbook*\n';
  const lines = runbook.split('\n').map((line) => mrkdwnText(line, SLACK_SECTION_TEXT_MAX_CHARS));
  return mrkdwn(cutChars(head + lines.join('\n'), SLACK_SECTION_TEXT_MAX_CHARS));
}

function footer(alert: AlertDocument, runbookBaseUrl: string | undefined): SlackText[] {
  const escalates = escalatedFrom(alert);
  const elements = [
    mrkdwn(`alert ${alert.alertId}${escalates === undefined ? '' : ` · escalates alert ${escalates}`}`),
  ];
  // The runbook base is deploy configuration and the rule id is encoded: a link of our own making.
  const runbook = runbookLink(runbookBaseUrl, alert.ruleId);
  if (runbook !== undefined && /^https:\/\/[^\s|<>&]+$/.test(runbook))
    elements.push({ type: 'mrkdwn', text: `<${runbook}|Runbook>` });
  // The reference is rule metadata, not event data, and only an https URL without Slack's link
  // delimiters becomes a link.
  if (/^https:\/\/[^\s|<>&]+$/.test(alert.reference))
    elements.push({ type: 'mrkdwn', text: `<${alert.reference}|Rule reference>` });
  if (alert.mitre.length > 0) elements.push(mrkdwn(mrkdwnText(`MITRE ATT&CK ${alert.mitre.join(', ')}`, 500)));
  return elements.slice(0, SLACK_MAX_CONTEXT_ELEMENTS);
}

/**
 * The Slack incoming-webhook message for an alert: a header (severity and title), the details as
 * two-column fields (severity, rule, actor, API key, scopes, elevated scopes, source IP and place,
 * user agent, event), the runbook, and a footer with the alert id, the runbook link (with a
 * `runbookBaseUrl`) and the rule reference. Within
 * Block Kit's limits (150-character header, 10 fields of 2,000 characters, 3,000-character
 * sections); every value from the event is escaped so it can neither format nor mention nor link.
 *
 * @example
 * ```ts
 * await fetch(webhookUrl, { method: 'POST', body: JSON.stringify(slackMessage(alert)) });
 * ```
 */
export function slackMessage(alert: AlertDocument, runbookBaseUrl?: string): SlackMessage {
  const escalated = escalatedFrom(alert) === undefined ? '' : 'Escalated: ';
  const headline = `${escalated}${alert.severity}: ${printable(alert.title, 1000)}`;
  return {
    text: mrkdwnText(headline, SLACK_FALLBACK_TEXT_MAX_CHARS),
    blocks: [
      // Escaped like mrkdwn too: Slack documents &, < and > as control characters of text objects.
      {
        type: 'header',
        text: {
          type: 'plain_text',
          text: mrkdwnText(`${EMOJI[alert.severity]} ${headline}`, SLACK_HEADER_MAX_CHARS),
          emoji: true,
        },
      },
      { type: 'section', fields: detailFields(alert) },
      { type: 'section', text: runbookSection(alert.runbook) },
      { type: 'context', elements: footer(alert, runbookBaseUrl) },
    ],
  };
}
