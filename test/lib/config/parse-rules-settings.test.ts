import { describe, expect, it } from 'vitest';
import { parseRulesConfig, type KnownRule } from '../../../lib/config/parse-rules-settings.ts';
import { RulesConfigError } from '../../../lib/detection/engine/errors.ts';

const known: KnownRule[] = [
  { id: 'Alert', kind: 'rule', enabled: true },
  { id: 'Signal', kind: 'signal', enabled: true },
  {
    id: 'Corr',
    kind: 'correlation',
    enabled: true,
    steps: [
      { id: 's', ruleId: 'Signal', minMatchCount: 2 },
      { id: 't', ruleId: 'Alert', minMatchCount: 1 },
    ],
  },
];
const parse = (doc: unknown) => parseRulesConfig(JSON.stringify(doc), 'rules.json', known).rules;

describe('parseRulesConfig', () => {
  it('reads enabled, severity and suppressions per rule', () => {
    expect(
      parse({
        rules: {
          Alert: {
            severity: 'critical',
            suppress: {
              actorIds: [' ci '],
              actorEmails: ['bot@x.com'],
              serviceAccountIds: ['svc'],
              sourceCidrs: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1'],
            },
          },
          Corr: { enabled: false },
        },
      }),
    ).toEqual({
      Alert: {
        severity: 'CRITICAL',
        suppress: {
          actorIds: ['ci'],
          actorEmails: ['bot@x.com'],
          serviceAccountIds: ['svc'],
          sourceCidrs: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1'],
        },
      },
      Corr: { enabled: false },
    });
    expect(parse({})).toEqual({});
  });

  it("reads the organization's domains beside the rules, in lower case, none by default", () => {
    const config = (doc: unknown) => parseRulesConfig(JSON.stringify(doc), 'rules.json', known);
    expect(config({ orgDomains: [' Example.COM ', 'corp.example.co.uk'] })).toEqual({
      rules: {},
      orgDomains: ['example.com', 'corp.example.co.uk'],
    });
    expect(config({ rules: {} }).orgDomains).toEqual([]);
  });

  it("reads a rule's threshold and dedup period, and a correlation's dedup period", () => {
    expect(
      parse({ rules: { Alert: { threshold: 10, dedupPeriodMinutes: 30 }, Corr: { dedupPeriodMinutes: 120 } } }),
    ).toEqual({
      Alert: { threshold: 10, dedupPeriodMinutes: 30 },
      Corr: { dedupPeriodMinutes: 120 },
    });
  });

  it('lets a correlation and its steps be disabled together', () => {
    expect(parse({ rules: { Corr: { enabled: false }, Signal: { enabled: false } } })).toEqual({
      Corr: { enabled: false },
      Signal: { enabled: false },
    });
  });

  it.each([
    ['[]', /^rules\.json: expected a JSON object, got array$/],
    ['{"rule": {}}', /^rules\.json: unknown key "rule" \(allowed: rules, orgDomains\)$/],
    ['{"rules": []}', /^rules\.json: rules: expected an object keyed by rule id, got array$/],
    ['{"rules": {"Nope": {}}}', /^rules\.json: rules\["Nope"\]: unknown rule id \(known: Alert, Signal, Corr\)$/],
    [
      '{"rules": {"Alert": {"enable": true}}}',
      /^rules\.json: rules\["Alert"\]: unknown key "enable" \(allowed: enabled, severity, threshold, dedupPeriodMinutes, suppress\)$/,
    ],
    ['{"rules": {"Alert": {"enabled": "no"}}}', /rules\["Alert"\]\.enabled: expected true or false, got string$/],
    [
      '{"rules": {"Alert": {"severity": "SEVERE"}}}',
      /rules\["Alert"\]\.severity: expected one of INFO, LOW, MEDIUM, HIGH, CRITICAL, got "SEVERE"$/,
    ],
    ['{"rules": {"Signal": {"severity": "HIGH"}}}', /rules\["Signal"\]\.severity: Signal is a signal and never alerts/],
    ['{"rules": {"Corr": {"suppress": {}}}}', /rules\["Corr"\]\.suppress: Corr correlates other rules' matches/],
    [
      '{"rules": {"Alert": {"suppress": {"actors": []}}}}',
      /suppress: unknown key "actors" \(allowed: actorIds, actorEmails, serviceAccountIds, sourceCidrs\)$/,
    ],
    [
      '{"rules": {"Alert": {"suppress": {"actorIds": "ci"}}}}',
      /suppress\.actorIds: expected a list of strings, got string$/,
    ],
    [
      '{"rules": {"Alert": {"suppress": {"actorEmails": [""]}}}}',
      /suppress\.actorEmails\[0\]: expected a non-empty string, got string$/,
    ],
    [
      '{"rules": {"Alert": {"suppress": {"sourceCidrs": ["10.0.0.0/33"]}}}}',
      /sourceCidrs\[0\]: prefix must be 0-32 for IPv4, got "33"$/,
    ],
    [
      '{"rules": {"Alert": {"suppress": {"sourceCidrs": ["10.0.0/8"]}}}}',
      /sourceCidrs\[0\]: not an IPv4 or IPv6 address: "10\.0\.0"$/,
    ],
    [
      '{"rules": {"Alert": {"suppress": {"sourceCidrs": ["sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789"]}}}}',
      /sourceCidrs\[0\]: not an IPv4 or IPv6 address: "sk-proj-…6789"$/,
    ],
    [
      '{"rules": {"Signal": {"enabled": false}}}',
      /rules\["Signal"\]\.enabled: Signal is a step of Corr, which stays enabled; disable Corr too, or keep Signal$/,
    ],
    ['{', /^rules\.json: not valid JSON/],
    [
      '{"rules": {"Alert": {"threshold": 0}}}',
      /rules\["Alert"\]\.threshold: expected an integer from 1 to 200, got 0$/,
    ],
    ['{"rules": {"Alert": {"threshold": 201}}}', /threshold: expected an integer from 1 to 200, got 201$/],
    ['{"rules": {"Alert": {"threshold": "5"}}}', /threshold: expected an integer from 1 to 200, got string$/],
    [
      '{"rules": {"Alert": {"dedupPeriodMinutes": 1.5}}}',
      /dedupPeriodMinutes: expected a whole number of minutes from 1 to 1440, got 1.5$/,
    ],
    [
      '{"rules": {"Signal": {"threshold": 2}}}',
      /Signal is a signal: it never alerts; a threshold would have no effect$/,
    ],
    [
      '{"rules": {"Corr": {"threshold": 2}}}',
      /Corr is a correlation: it alerts on each finding; a threshold would have no effect$/,
    ],
    [
      '{"rules": {"Signal": {"dedupPeriodMinutes": 5}}}',
      /Signal is a signal and never alerts; a dedup period would have no effect$/,
    ],
    ['{"orgDomains": "example.com"}', /orgDomains: expected a list of domain names, got string$/],
    [
      '{"orgDomains": ["alice@example.com"]}',
      /orgDomains\[0\]: expected a domain name such as example.com \(no @, no scheme\)/,
    ],
    ['{"orgDomains": ["https://example.com"]}', /orgDomains\[0\]: expected a domain name/],
    ['{"orgDomain": ["example.com"]}', /orgDomain/],
  ])('rejects %s with the path and the problem', (text, message) => {
    expect(() => parseRulesConfig(text, 'rules.json', known)).toThrow(RulesConfigError);
    expect(() => parseRulesConfig(text, 'rules.json', known)).toThrow(message);
  });
});
