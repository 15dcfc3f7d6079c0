// What an alert says: AlertTitle, AlertContext, GroupBy (the dedup string) and DynamicSeverities,
// on both event shapes, with a field missing from the event.
import { describe, expect, it } from 'vitest';
import { compile, detection, outputs } from './helpers.ts';

const ALWAYS = '- Condition: AlwaysTrue';
const session = (email: string) => ({
  type: 'session',
  session: { user: { id: 'user-1', email }, ip_address: '8.8.8.8' },
});
const openAi = { id: 'e1', type: 'scim.disabled', actor: session('it@example.com'), 'scim.disabled': { id: 'org-1' } };
const panther = { id: 'e2', type: 'scim.disabled', actor: session('ops@example.com'), scim_disabled: { id: 'org-2' } };
const bare = { id: 'e3', type: 'scim.disabled' };

describe('AlertTitle', () => {
  const rule = compile(
    detection(
      ALWAYS,
      'AlertTitle: "SCIM {{off}}: {scim_disabled.id} by [{ actor.session.user.email }] ({actor.session})"',
    ),
  );

  it('renders event fields in braces, on both shapes; {{ and }} are braces', () => {
    expect(outputs(rule, openAi).title).toBe(
      'SCIM {off}: org-1 by [it@example.com] ({"user":{"id":"user-1","email":"it@example.com"},"ip_address":"8.8.8.8"})',
    );
    expect(outputs(rule, panther).title).toContain('SCIM {off}: org-2 by [ops@example.com]');
  });

  it('renders a missing field as <MISSING path>', () => {
    expect(outputs(rule, bare).title).toBe(
      'SCIM {off}: <MISSING scim_disabled.id> by [<MISSING actor.session.user.email>] (<MISSING actor.session>)',
    );
  });

  it('renders numbers, booleans and lists as JSON', () => {
    const numbers = compile(detection(ALWAYS, 'AlertTitle: "{n} {b} {l}"'));
    expect(outputs(numbers, { n: 3, b: false, l: ['a', 1] }).title).toBe('3 false ["a",1]');
  });
});

describe('GroupBy', () => {
  it('is the value of one field', () => {
    const rule = compile(detection(ALWAYS, 'GroupBy:\n  - KeyPath: actor.session.user.email'));
    expect(outputs(rule, openAi).dedup).toBe('it@example.com');
    expect(outputs(rule, bare).dedup).toBe('<MISSING actor.session.user.email>');
  });

  it('joins several with ":", escaping ":" and "\\" in values so groups cannot be forged', () => {
    const rule = compile(detection(ALWAYS, 'GroupBy:\n  - Key: type\n  - DeepKey: [scim.disabled, id]\n  - Key: note'));
    expect(outputs(rule, openAi).dedup).toBe('scim.disabled:org-1:<MISSING note>');
    expect(outputs(rule, { ...openAi, note: 'a:b\\c' }).dedup).toBe('scim.disabled:org-1:a\\:b\\\\c');
  });

  it('is absent without GroupBy, so the dedup string is the title (the engine default)', () => {
    expect(compile(detection(ALWAYS))).not.toHaveProperty('dedup');
  });
});

describe('AlertContext', () => {
  it('copies each field as it is, null when missing', () => {
    const rule = compile(
      detection(
        ALWAYS,
        [
          'AlertContext:',
          '  - KeyName: scim_resource_id',
          '    KeyValue: { KeyPath: scim_disabled.id }',
          '  - KeyName: actor',
          '    KeyValue: { KeyPath: actor.session.user }',
          '  - KeyName: __proto__',
          '    KeyValue: { Key: id }',
        ].join('\n'),
      ),
    );
    const context = outputs(rule, panther).alertContext;
    expect(context).toEqual({
      scim_resource_id: 'org-2',
      actor: { id: 'user-1', email: 'ops@example.com' },
      ['__proto__']: 'e2',
    });
    expect(Object.getPrototypeOf(context)).toBe(Object.prototype);
    expect(outputs(rule, bare).alertContext).toEqual({ scim_resource_id: null, actor: null, ['__proto__']: 'e3' });
  });
});

describe('DynamicSeverities', () => {
  const rule = compile(
    detection(
      ALWAYS,
      [
        'DynamicSeverities:',
        '  - ChangeTo: critical',
        '    Conditions:',
        '      - { KeyPath: actor.session.ip_address, Condition: IsIPAddressPublic }',
        '      - { KeyPath: actor.session.user.email, Condition: IEndsWith, Value: "@EXAMPLE.com" }',
        '  - ChangeTo: High',
        '    Conditions:',
        '      - { Key: type, Condition: Equals, Value: scim.disabled }',
      ].join('\n'),
    ),
  );

  it('the first entry whose conditions all match gives the severity', () => {
    expect(outputs(rule, openAi).severity).toBe('CRITICAL');
    expect(outputs(rule, bare).severity).toBe('HIGH');
  });

  it('none matching: DEFAULT, the static Severity', () => {
    expect(outputs(rule, { type: 'scim.enabled' }).severity).toBe('DEFAULT');
  });
});
