// A rule's metadata: title, id and name, level as severity, tags as ATT&CK reports, the text keys,
// status, taxonomy and logsource; unknown keys are errors and keys without effect are reported.
import { describe, expect, it } from 'vitest';
import { attackReports } from '../../../../lib/detection/sigma/attack-tags.ts';
import { compileSigmaFile } from '../../../../lib/detection/sigma/index.ts';
import { normalizeAuditEvent } from '../../../../lib/detection/openai/normalize.ts';
import { compileError, compileRule, RULE_ID } from './helpers.ts';

/** A rule file with `head` (top-level keys) before a minimal logsource and detection. */
const file = (head: string, logsource = 'logsource:\n  product: openai\n  service: audit') =>
  `${head}\n${logsource}\ndetection:\n  selection:\n    type: scim.disabled\n  condition: selection\n`;
const HEAD = 'title: SCIM disabled\nid: 11111111-2222-4333-8444-555555555555\nlevel: high';

describe('level', () => {
  const cases = [
    ['informational', 'INFO'],
    ['low', 'LOW'],
    ['medium', 'MEDIUM'],
    ['high', 'HIGH'],
    ['critical', 'CRITICAL'],
  ] as const;
  for (const [level, severity] of cases) {
    it(`maps ${level} to ${severity}`, () => {
      expect(compileRule(file(`title: t\nid: x1\nlevel: ${level}`)).defaultSeverity).toBe(severity);
    });
  }

  it('refuses another level, with a suggestion, and a missing one on the rule that alerts', () => {
    expect(compileError(file('title: t\nid: x1\nlevel: hihg'))).toBe(
      `rules/x.yml:3: level: expected one of informational, low, medium, high, critical, got the string "hihg" (did you mean 'high'?)`,
    );
    expect(compileError(file('title: t\nid: x1'))).toMatch(/^rules\/x\.yml:1: level: missing: the alert's severity/);
  });
});

describe('ids', () => {
  it('takes the name as the rule id, else Sigma.<id>', () => {
    expect(compileRule(file(HEAD)).id).toBe(RULE_ID);
    expect(compileRule(file(`${HEAD}\nname: Custom.SCIM.Disabled`)).id).toBe('Custom.SCIM.Disabled');
    expect(compileRule(file('title: t\nname: scim_disabled\nlevel: low')).id).toBe('scim_disabled');
  });

  it('needs one of them, in characters a rule id may hold', () => {
    expect(compileError(file('title: t\nlevel: low'))).toMatch(
      /^rules\/x\.yml:1: id: missing: an `id` \(a UUID\) or a `name`/,
    );
    expect(compileError(file(`${HEAD}\nname: 'has spaces'`))).toMatch(
      /^rules\/x\.yml:4: name: 'has spaces' cannot be a rule id here/,
    );
  });

  it('needs a title', () => {
    expect(compileError(file('id: x1\nlevel: low'))).toMatch(/^rules\/x\.yml:1: title: missing/);
  });
});

describe('metadata', () => {
  it('maps the text keys and tags onto the rule', () => {
    const rule = compileRule(
      file(`${HEAD}
description: SCIM was turned off.
references:
  - https://platform.openai.com/docs/api-reference/audit-logs
  - https://example.com/runbook
falsepositives:
  - Planned identity-provider migrations
tags:
  - attack.defense-evasion
  - attack.persistence
  - attack.t1562.001
  - attack.t1098
  - detection.threat-hunting`),
    );
    expect({ ...rule, match: undefined, dedup: undefined }).toEqual({
      id: RULE_ID,
      displayName: 'SCIM disabled',
      defaultSeverity: 'HIGH',
      description: 'SCIM was turned off.',
      reference: 'https://platform.openai.com/docs/api-reference/audit-logs\nhttps://example.com/runbook',
      runbook: 'Known false positives:\n- Planned identity-provider migrations',
      tags: [
        'attack.defense-evasion',
        'attack.persistence',
        'attack.t1562.001',
        'attack.t1098',
        'detection.threat-hunting',
      ],
      reports: { 'MITRE ATT&CK': ['TA0005:T1562.001', 'TA0005:T1098', 'TA0003:T1562.001', 'TA0003:T1098'] },
      eventTypes: ['scim.disabled'],
      match: undefined,
      dedup: undefined,
    });
  });

  it('alerts every matching event on its own, with fields in the alert context', () => {
    const rule = compileRule(file(`${HEAD}\nfields:\n  - actor.session.user.email\n  - actor.session.ip_address`));
    const event = normalizeAuditEvent({
      id: 'e1',
      type: 'scim.disabled',
      actor: { type: 'session', session: { user: { email: 'a@x' } } },
    });
    expect(rule.dedup?.(event)).toBe(`${RULE_ID}:e1`);
    expect('title' in rule).toBe(false);
    expect(rule.alertContext?.(event)).toEqual({ 'actor.session.user.email': 'a@x', 'actor.session.ip_address': null });
  });

  it('maps ATT&CK tags: no report without a tactic, upper-case tags too', () => {
    expect(attackReports(['attack.t1078'])).toEqual([]);
    expect(attackReports(['attack.Initial-Access', 'attack.T1078.004', 'attack.g0016', 'attack.s0002'])).toEqual([
      'TA0001:T1078.004',
    ]);
    expect(attackReports(['attack.reconnaissance', 'attack.resource-development', 'attack.t1589'])).toEqual([
      'TA0043:T1589',
      'TA0042:T1589',
    ]);
  });
});

describe('status and taxonomy', () => {
  it('disables a deprecated rule, refuses an unsupported one, runs the others without a warning', () => {
    expect(compileRule(file(`${HEAD}\nstatus: deprecated`)).enabled).toBe(false);
    expect(compileError(file(`${HEAD}\nstatus: unsupported`))).toMatch(
      /^rules\/x\.yml:4: status: the specification says an unsupported rule cannot be used/,
    );
    expect(compileError(file(`${HEAD}\nstatus: stabel`))).toMatch(/did you mean 'stable'\?/);
    const { ignoredKeys } = compileSigmaFile(file(`${HEAD}\nstatus: test`), 'x.yml');
    expect(ignoredKeys).toEqual([]);
    expect(compileRule(file(`${HEAD}\nstatus: test`)).enabled).not.toBe(false);
  });

  it('accepts the default taxonomy only', () => {
    expect(compileRule(file(`${HEAD}\ntaxonomy: sigma`)).id).toBe(RULE_ID);
    expect(compileError(file(`${HEAD}\ntaxonomy: ecs`))).toMatch(
      /^rules\/x\.yml:4: taxonomy: only the default taxonomy, 'sigma'/,
    );
  });
});

describe('logsource', () => {
  it('requires product openai and service audit', () => {
    expect(compileError(file(HEAD, 'logsource:\n  product: windows\n  service: audit'))).toMatch(
      /^rules\/x\.yml:5: logsource\.product: expected openai, got the string "windows": rules here run on OpenAI organization audit logs/,
    );
    expect(compileError(file(HEAD, 'logsource:\n  product: openai'))).toMatch(
      /^rules\/x\.yml:5: logsource\.service: missing/,
    );
    expect(compileError(file(HEAD, 'logsource:\n  product: openai\n  service: audit\n  category: webserver'))).toMatch(
      /^rules\/x\.yml:7: logsource\.category: OpenAI audit logs have no category/,
    );
    expect(compileError(file(HEAD, 'logsource:\n  product: openai\n  service: audit\n  servce: x'))).toMatch(
      /unknown logsource key 'servce' \(did you mean 'service'\?\)/,
    );
    expect(compileError(file(HEAD, ''))).toMatch(/^rules\/x\.yml:1: logsource: missing/);
  });

  it('reports definition as ignored', () => {
    const { ignoredKeys } = compileSigmaFile(
      file(HEAD, 'logsource:\n  product: openai\n  service: audit\n  definition: OpenAI admin API'),
      'x.yml',
    );
    expect(ignoredKeys).toEqual([
      { key: 'logsource.definition', line: 7, reason: 'a description of the log source for readers' },
    ]);
  });
});

describe('top-level keys', () => {
  it('refuses an unknown key by name, at its line, with a suggestion', () => {
    expect(compileError(file(`${HEAD}\nreferenecs: [x]`))).toBe(
      `rules/x.yml:4: referenecs: unknown key 'referenecs' (did you mean 'references'?)`,
    );
    expect(compileError(file(`${HEAD}\ncustom_field: x`))).toMatch(
      /^rules\/x\.yml:4: custom_field: unknown key 'custom_field'$/,
    );
  });

  it('reports the keys without effect, with the reason, and accepts descriptive metadata silently', () => {
    const { ignoredKeys } = compileSigmaFile(
      file(`${HEAD}
related:
  - id: 08fbc97d-0a2f-491c-ae21-8ffcfd3174e9
    type: derived
author: Someone
date: 2025-01-01
modified: 2025-02-01
license: DRL-1.1
scope: [server]`),
      'x.yml',
    );
    expect(ignoredKeys.map(({ key, line }) => [key, line])).toEqual([
      ['related', 4],
      ['scope', 11],
    ]);
    expect(ignoredKeys[0]?.reason).toMatch(/relations between Sigma rules/);
  });

  it('refuses keys of the other kind of rule', () => {
    expect(compileError(file(`${HEAD}\ngenerate: true`))).toMatch(
      /^rules\/x\.yml:4: generate: 'generate' belongs to a correlation rule/,
    );
  });
});
