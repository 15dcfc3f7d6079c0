import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../../lib/detection/engine/catalog.ts';
import { openAiAuditLogType } from '../../../../../lib/detection/openai/log-type.ts';
import { createRuleCatalog } from '../../../../../lib/detection/rules/create-rule-catalog.ts';
import {
  OWNER_INVITATION_RULE_ID,
  createOwnerInvitationRule,
  emailDomain,
  isOwnerRole,
} from '../../../../../lib/detection/rules/openai/owner-invitation.ts';
import { runRuleTest } from '../../../../../lib/detection/testing/run-test.ts';
import type { RuleTestCase } from '../../../../../lib/detection/testing/test-file.ts';
import type { JsonObject, JsonValue } from '../../../../../lib/shared/json.ts';

/** A catalog holding only this rule, built with `orgDomains`. */
function catalogWith(orgDomains: readonly string[]): RuleCatalog {
  return new RuleCatalog().register(openAiAuditLogType, [createOwnerInvitationRule(orgDomains)]);
}

const SESSION_ACTOR = { type: 'session', session: { user: { id: 'user-owner', email: 'owner@example.com' } } };
const SERVICE_ACCOUNT_ACTOR = {
  type: 'api_key',
  api_key: { id: 'key_svc', type: 'service_account', service_account: { id: 'svc_automation' } },
};

function invite(email: string | undefined, role = 'owner', actor: JsonValue = SESSION_ACTOR): JsonObject {
  const data: JsonObject = { role };
  if (email !== undefined) data.email = email;
  return { id: 'audit_log-1', type: 'invite.sent', actor, 'invite.sent': { id: 'invite-1', data } };
}

/** Runs one case through the same path as the YAML tests and fails with its failures. */
function expectCase(catalog: RuleCatalog, test: Omit<RuleTestCase, 'name'>): void {
  const result = runRuleTest(catalog, OWNER_INVITATION_RULE_ID, { name: 'case', ...test });
  expect(result.failures).toEqual([]);
  expect(result.passed).toBe(true);
}

describe('OpenAI.Owner.Invitation with configured orgDomains', () => {
  const catalog = catalogWith(['example.com', 'corp.example.org']);

  it('rates an owner invited from a configured domain MEDIUM', () => {
    expectCase(catalog, {
      expectedResult: true,
      log: invite('new.owner@example.com'),
      expectedSeverity: 'MEDIUM',
      expectedDedup: 'OpenAI.Owner.Invitation:user:user-owner:email:new.owner@example.com',
      expectedAlertContext: {
        invitee_domain: 'example.com',
        invitee_domain_class: 'internal',
        org_domains: ['example.com', 'corp.example.org'],
        org_domains_source: 'configured',
      },
    });
  });

  it('matches any of the configured domains, case-insensitively', () => {
    expectCase(catalog, {
      expectedResult: true,
      log: invite('Dev@CORP.Example.Org'),
      expectedSeverity: 'MEDIUM',
      expectedAlertContext: { invitee_domain: 'corp.example.org', invitee_domain_class: 'internal' },
    });
  });

  it('rates an owner from outside the configured domains HIGH', () => {
    expectCase(catalog, {
      expectedResult: true,
      log: invite('attacker@gmail.com'),
      expectedSeverity: 'HIGH',
      expectedTitle: 'OpenAI Owner Invitation Sent to attacker@gmail.com by [owner@example.com]',
      expectedAlertContext: { invitee_domain_class: 'external' },
    });
  });

  it("uses the configured domains, not the actor's own, when both exist", () => {
    const actor = { type: 'session', session: { user: { id: 'user-c', email: 'contractor@vendor.io' } } };
    expectCase(catalog, {
      expectedResult: true,
      log: invite('friend@vendor.io', 'owner', actor),
      expectedSeverity: 'HIGH',
      expectedAlertContext: { invitee_domain_class: 'external', org_domains_source: 'configured' },
    });
  });

  it('does not count subdomains of a configured domain as inside', () => {
    expectCase(catalog, {
      expectedResult: true,
      log: invite('dev@eng.example.com'),
      expectedSeverity: 'HIGH',
      expectedAlertContext: { invitee_domain: 'eng.example.com', invitee_domain_class: 'external' },
    });
  });

  it('does not take a look-alike suffix for the domain', () => {
    expectCase(catalog, {
      expectedResult: true,
      log: invite('ceo@evil-example.com'),
      expectedSeverity: 'HIGH',
    });
  });

  it('judges a service account actor against the configured domains (it has no email of its own)', () => {
    expectCase(catalog, {
      expectedResult: true,
      log: invite('colleague@example.com', 'owner', SERVICE_ACCOUNT_ACTOR),
      expectedSeverity: 'MEDIUM',
      expectedDedup: 'OpenAI.Owner.Invitation:service_account:svc_automation:email:colleague@example.com',
      expectedAlertContext: { org_domains_source: 'configured' },
    });
  });

  it("still rates HIGH when the invitee's email is unknown", () => {
    expectCase(catalog, { expectedResult: true, log: invite(undefined), expectedSeverity: 'HIGH' });
    expectCase(catalog, {
      expectedResult: true,
      log: {
        id: 'e',
        type: 'user.added',
        actor: SESSION_ACTOR,
        'user.added': { id: 'user-new', data: { role: 'owner' } },
      },
      expectedSeverity: 'HIGH',
      expectedAlertContext: { invitee_domain_class: 'unknown', org_domains_source: 'configured' },
    });
  });

  it('rates a user added as owner with an (undocumented) internal email MEDIUM', () => {
    expectCase(catalog, {
      expectedResult: true,
      log: {
        id: 'e',
        type: 'user.added',
        actor: SESSION_ACTOR,
        user_added: { id: 'user-new', data: { role: 'owner', email: 'colleague@example.com' } },
      },
      expectedSeverity: 'MEDIUM',
    });
  });

  it('does not alert on members, whatever their domain', () => {
    expectCase(catalog, { expectedResult: false, log: invite('attacker@gmail.com', 'member') });
    expectCase(catalog, {
      expectedResult: false,
      log: { id: 'e', type: 'user.updated', 'user.updated': { id: 'user-1', changes_requested: { role: 'member' } } },
    });
  });

  it('normalises configured domains: case, spaces, a leading @, a trailing dot, blanks and duplicates', () => {
    const loose = catalogWith([' @Example.COM. ', '', 'example.com']);
    expectCase(loose, {
      expectedResult: true,
      log: invite('colleague@example.com'),
      expectedSeverity: 'MEDIUM',
      expectedAlertContext: { org_domains: ['example.com'], org_domains_source: 'configured' },
    });
  });

  it("falls back to the actor's domain only when no domain is configured", () => {
    const none = catalogWith([]);
    expectCase(none, {
      expectedResult: true,
      log: invite('colleague@example.com'),
      expectedSeverity: 'MEDIUM',
      expectedAlertContext: { org_domains: ['example.com'], org_domains_source: 'actor_email' },
    });
    expectCase(none, {
      expectedResult: true,
      log: invite('colleague@example.com', 'owner', SERVICE_ACCOUNT_ACTOR),
      expectedSeverity: 'HIGH',
      expectedAlertContext: { org_domains: [], org_domains_source: 'none' },
    });
  });

  it('keeps two rules apart: each judges with its own domains', () => {
    const a = catalogWith(['example.com']);
    const b = catalogWith(['other.org']);
    expectCase(a, { expectedResult: true, log: invite('x@example.com'), expectedSeverity: 'MEDIUM' });
    expectCase(b, { expectedResult: true, log: invite('x@example.com'), expectedSeverity: 'HIGH' });
  });

  it("is wired to the catalog's orgDomains", () => {
    const configured = createRuleCatalog({ orgDomains: ['example.com'] });
    const actor = { type: 'session', session: { user: { id: 'user-c', email: 'contractor@vendor.io' } } };
    expectCase(configured, {
      expectedResult: true,
      log: invite('colleague@example.com', 'owner', actor),
      expectedSeverity: 'MEDIUM',
    });
    expect(configured.getRule(OWNER_INVITATION_RULE_ID)).toMatchObject({
      id: OWNER_INVITATION_RULE_ID,
      defaultSeverity: 'HIGH',
      reports: { 'MITRE ATT&CK': ['TA0003:T1098.003', 'TA0004:T1098.003', 'TA0003:T1136.003'] },
    });
  });
});

describe('owner-invitation helpers', () => {
  it('reads the domain of an email, or nothing for a malformed one', () => {
    expect(emailDomain(' Alice@Example.COM ')).toBe('example.com');
    expect(emailDomain('alice@example.com.')).toBe('example.com');
    expect(emailDomain('alice')).toBeUndefined();
    expect(emailDomain('@example.com')).toBeUndefined();
    expect(emailDomain('a@b@example.com')).toBeUndefined();
    expect(emailDomain('alice@')).toBeUndefined();
    expect(emailDomain('alice@example..com')).toBeUndefined();
    expect(emailDomain(undefined)).toBeUndefined();
  });

  it('recognises owner roles by word', () => {
    expect(isOwnerRole('owner')).toBe(true);
    expect(isOwnerRole(' OWNER ')).toBe(true);
    expect(isOwnerRole('organization-owner')).toBe(true);
    expect(isOwnerRole('member')).toBe(false);
    expect(isOwnerRole('reader')).toBe(false);
    expect(isOwnerRole('homeowners')).toBe(false);
    expect(isOwnerRole(undefined)).toBe(false);
  });
});
