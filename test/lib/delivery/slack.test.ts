import { describe, expect, it } from 'vitest';
import { mrkdwnText, slackMessage, type SlackText } from '../../../lib/delivery/slack.ts';
import { sampleAlert } from '../../support/alerts.ts';

const texts = (fields: readonly SlackText[] | undefined) => (fields ?? []).map((f) => f.text);

describe('slackMessage', () => {
  it('shows severity and title, actor, key, scopes, source IP and place, runbook and the alert id', () => {
    const message = slackMessage(sampleAlert());
    expect(message.text).toBe(
      'HIGH: OpenAI API Key with Elevated Scopes: api_key.updated by [mallory@contractor.example]',
    );
    const [header, details, runbook, footer] = message.blocks;
    expect(header).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: ':red_circle: HIGH: OpenAI API Key with Elevated Scopes: api_key.updated by [mallory@contractor.example]',
        emoji: true,
      },
    });
    expect(details?.type === 'section' ? texts(details.fields) : []).toEqual([
      '*Severity*\nHIGH',
      '*Rule*\nOpenAI Anomalous API Key Activity (OpenAI.API.Key.Anomalous.Activity)',
      '*Actor*\nmallory@contractor.example (user-mallory)',
      '*API key*\nkey_ops_admin',
      '*Scopes*\nall',
      '*Elevated scopes*\nall',
      '*Source IP*\n198.51.100.7 (Bucharest, RO)',
      '*Event*\napi_key.updated · audit_log-sample-0004',
      '*Event time*\n2026-11-25T10:00:00.000Z',
      '*User agent*\ncurl/8.5.0',
    ]);
    expect(runbook).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        verbatim: true,
        text: '*Runbook*\n1. Confirm the change with the actor.\n2. Revoke the key if unexpected.',
      },
    });
    expect(footer?.type === 'context' ? footer.elements.map((e) => e.text) : []).toEqual([
      'alert 328f2bde2e79e594cf21a3eada0c0756',
      '<https://platform.openai.com/docs/api-reference/audit-logs|Rule reference>',
      'MITRE ATT&amp;CK TA0003:T1098',
    ]);
  });

  it('says what a key without scopes holds, and keeps to ten fields', () => {
    const message = slackMessage(
      sampleAlert({ alertContext: { ...sampleAlert().alertContext, key_permissions: 'unrestricted' } }),
    );
    const details = message.blocks[1];
    const fields = details?.type === 'section' ? texts(details.fields) : [];
    expect(fields).toContain('*Permissions*\nunrestricted: every permission (no scopes)');
    expect(fields).toHaveLength(10);
    const scoped = slackMessage(
      sampleAlert({ alertContext: { ...sampleAlert().alertContext, key_permissions: 'scoped' } }),
    ).blocks[1];
    expect(scoped?.type === 'section' ? texts(scoped.fields).some((f) => f.startsWith('*Permissions*')) : true).toBe(
      false,
    );
  });

  it('leaves out fields the alert does not have, and Panther placeholders', () => {
    const message = slackMessage(sampleAlert({ alertContext: { actor_id: 'u1', source_ip: '<UNKNOWN_SOURCE_IP>' } }));
    const details = message.blocks[1];
    expect(details?.type === 'section' ? texts(details.fields).map((t) => t.split('\n')[0]) : []).toEqual([
      '*Severity*',
      '*Rule*',
      '*Actor*',
      '*Event*',
      '*Event time*',
    ]);
  });

  it('stays within Block Kit limits whatever the alert holds', () => {
    const long = 'w'.repeat(10_000);
    const message = slackMessage(
      sampleAlert({
        title: long,
        runbook: `${long}\n${long}`,
        alertContext: {
          actor_email: long,
          api_key_id: long,
          api_key_scopes: [long, long],
          user_agent: '&'.repeat(5000),
        },
      }),
    );
    const [header, details, runbook] = message.blocks;
    expect(header?.type === 'header' ? Array.from(header.text.text).length : 0).toBeLessThanOrEqual(150);
    for (const text of details?.type === 'section' ? texts(details.fields) : [])
      expect(text.length).toBeLessThanOrEqual(2000);
    expect(runbook?.type === 'section' ? runbook.text?.text.length : 0).toBeLessThanOrEqual(3000);
    expect(message.text.length).toBeLessThanOrEqual(3000);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const agent = details?.type === 'section' ? texts(details.fields).find((t) => t.startsWith('*User agent*')) : '';
    expect(agent).toMatch(/^\*User agent\*\n(&amp;)+…$/);
  });

  it('with every detail present, keeps ten fields and leaves out the user agent, never the event time', () => {
    const context = {
      ...sampleAlert().alertContext,
      key_permissions: 'unrecorded',
      api_key_scopes: ['a'],
      elevated_scopes: ['a'],
    };
    const details = slackMessage(sampleAlert({ alertContext: context })).blocks[1];
    const labels = details?.type === 'section' ? texts(details.fields).map((t) => t.split('\n')[0]) : [];
    expect(labels).toHaveLength(10);
    expect(labels.slice(-2)).toEqual(['*Event*', '*Event time*']);
    expect(labels).not.toContain('*User agent*');
  });

  it('cannot be made to mention, link or format by event data', () => {
    const message = slackMessage(
      sampleAlert({
        title: '<!channel> <https://evil.example|click> & co',
        alertContext: { actor_email: '<@U123> `x` *bold*', user_agent: 'a\u202eb\r\n' },
      }),
    );
    expect(message.text).toBe('HIGH: &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co');
    const details = message.blocks[1];
    const fields = details?.type === 'section' ? texts(details.fields) : [];
    expect(fields).toContain('*Actor*\n&lt;@U123&gt; `x` *bold*');
    expect(fields).toContain('*User agent*\na\\u202eb\\r\\n');
    expect(JSON.stringify(message)).not.toMatch(/<!channel>|<@U123>|<https:\/\/evil/);
    if (details?.type === 'section')
      for (const field of details.fields ?? []) expect(field).toMatchObject({ type: 'mrkdwn', verbatim: true });
  });

  it('marks an escalation and names the alert it escalates', () => {
    const message = slackMessage(sampleAlert({ alertId: 'esc1', severity: 'CRITICAL', escalatesAlertId: 'first1' }));
    expect(message.text).toBe(
      'Escalated: CRITICAL: OpenAI API Key with Elevated Scopes: api_key.updated by [mallory@contractor.example]',
    );
    const footer = message.blocks[3];
    expect(footer?.type === 'context' ? footer.elements[0]?.text : '').toBe('alert esc1 · escalates alert first1');
  });
});

describe('mrkdwnText', () => {
  it('escapes the three control characters and never cuts an entity', () => {
    expect(mrkdwnText('a<b>&c', 100)).toBe('a&lt;b&gt;&amp;c');
    expect(mrkdwnText('ab&&&', 6)).toBe('ab…');
  });
});

describe('slackMessage with a runbook base URL', () => {
  it('links the rule runbook in the footer, and only an https link', () => {
    const footer = (base?: string) =>
      (
        slackMessage(sampleAlert(), base).blocks.at(-1) as unknown as { elements: Array<{ text: string }> }
      ).elements.map((e) => e.text);
    expect(footer('https://wiki.example.com/runbooks/')).toContain(
      '<https://wiki.example.com/runbooks/OpenAI.API.Key.Anomalous.Activity|Runbook>',
    );
    expect(footer().some((text) => text.endsWith('|Runbook>'))).toBe(false);
    expect(footer('http://wiki.example.com/').some((text) => text.endsWith('|Runbook>'))).toBe(false);
  });
});
