import { perEvent } from '../../engine/per-event.ts';
import type { Rule } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textField } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const OWNER_INVITATION_RULE_ID = 'OpenAI.Owner.Invitation';

const INVITE_SENT = 'invite.sent';
const USER_ADDED = 'user.added';
const USER_UPDATED = 'user.updated';

/** Where each event type carries the role (OpenAI's OpenAPI description). */
const ROLE_PATHS: Readonly<Record<string, readonly string[]>> = {
  [INVITE_SENT]: ['data', 'role'], // L181-184
  [USER_ADDED]: ['data', 'role'], // L733-735
  [USER_UPDATED]: ['changes_requested', 'role'], // L747-749
};

/** Where the person's email may be: `data.email` (documented for invite.sent only, L178-180), then `email`. */
const EMAIL_PATHS: readonly (readonly string[])[] = [['data', 'email'], ['email']];

/** Whether the invitee's domain is one of the organization's. */
export type DomainClass = 'internal' | 'external' | 'unknown';

/** What an owner invitation or grant is about, read once per event. */
export interface OwnerGrant {
  /** The role as given (trimmed). */
  readonly role: string | undefined;
  /** Whether the role is an owner role. */
  readonly isOwner: boolean;
  /** The payload `id`: the invite id, the user id, or (user.updated) what the schema calls the project id. */
  readonly targetId: string | undefined;
  /** The invited or granted person's email, when the event carries one. */
  readonly email: string | undefined;
  /** Its domain, lower-cased; undefined when the email is missing or malformed. */
  readonly domain: string | undefined;
  /** The domains the invitee's is compared with. */
  readonly orgDomains: readonly string[];
  /** `configured` (orgDomains), `actor_email` (the acting user's domain), or `none`. */
  readonly orgDomainsSource: 'configured' | 'actor_email' | 'none';
  readonly domainClass: DomainClass;
}

/**
 * The domain of an email address, lower-cased, or undefined when it is not one (`a@b` with exactly
 * one `@`, a non-empty local part and a domain of dot-separated non-empty labels).
 *
 * @example
 * ```ts
 * emailDomain(' Alice@Example.COM '); // 'example.com'
 * emailDomain('alice');               // undefined
 * ```
 */
export function emailDomain(email: string | undefined): string | undefined {
  if (email === undefined) return undefined;
  const text = email.trim().toLowerCase();
  const at = text.indexOf('@');
  if (at <= 0 || at !== text.lastIndexOf('@')) return undefined;
  const domain = text.slice(at + 1).replace(/\.$/, '');
  if (domain === '' || domain.split('.').some((label) => label === '' || /\s/.test(label))) return undefined;
  return domain;
}

/** A configured domain, as it is compared: trimmed, lower-cased, without a leading `@` or trailing dot. */
function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
}

/**
 * Whether a role names an owner: one of its words (split on anything but letters and digits) is
 * `owner`, in any case. OpenAI documents `owner` and `member` only; `Owner`, `project_owner` or
 * `organization-owner` count too, `member` or `reader` do not.
 *
 * @example
 * ```ts
 * isOwnerRole(' Owner '); // true
 * isOwnerRole('member');  // false
 * ```
 */
export function isOwnerRole(role: string | undefined): boolean {
  return (
    role !== undefined &&
    role
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .includes('owner')
  );
}

/**
 * Reads the role, the person and the domain comparison of an `invite.sent`, `user.added` or
 * `user.updated` event. The organization's domains are `orgDomains` when any are configured, else
 * the acting user's own email domain. Domains match exactly: a subdomain of an organization domain
 * is another domain (`eng.example.com` is not `example.com`).
 *
 * @example
 * ```ts
 * ownerGrant(event, ['example.com']); // { isOwner: true, domain: 'gmail.com', domainClass: 'external', ... }
 * ```
 */
export function ownerGrant(event: AuditEvent, orgDomains: readonly string[]): OwnerGrant {
  const details = event.details;
  const rolePath = event.type === undefined ? undefined : ROLE_PATHS[event.type];
  const role = rolePath === undefined ? undefined : textField(details, rolePath);
  let email: string | undefined;
  for (const path of EMAIL_PATHS) email ??= textField(details, path);
  const domain = emailDomain(email);
  let domains = orgDomains;
  let source: OwnerGrant['orgDomainsSource'] = 'configured';
  if (domains.length === 0) {
    const actorDomain = emailDomain(event.actor.email);
    domains = actorDomain === undefined ? [] : [actorDomain];
    source = actorDomain === undefined ? 'none' : 'actor_email';
  }
  let domainClass: DomainClass = 'unknown';
  if (domain !== undefined && domains.length > 0) domainClass = domains.includes(domain) ? 'internal' : 'external';
  return {
    role,
    isOwner: isOwnerRole(role),
    targetId: textField(details, ['id']),
    email,
    domain,
    orgDomains: domains,
    orgDomainsSource: source,
    domainClass,
  };
}

/**
 * Creates "OpenAI Owner Invitation or Grant": someone invited as an owner (`invite.sent`), added as
 * an owner (`user.added`) or changed to owner (`user.updated`). HIGH when the person's email domain
 * is not one of the organization's (`orgDomains`; when empty, the acting user's own domain), or
 * cannot be told; MEDIUM inside. Member invitations and grants do not alert.
 *
 * @example
 * ```ts
 * createOwnerInvitationRule(['example.com'])
 * ```
 */
export function createOwnerInvitationRule(orgDomains: readonly string[]): Rule<AuditEvent> {
  const domains = [...new Set(orgDomains.map(normalizeDomain).filter((domain) => domain !== ''))];
  /** The grant of an event, read once for all of the rule's functions. */
  const grantOf = perEvent((event: AuditEvent) => ownerGrant(event, domains));

  return {
    id: OWNER_INVITATION_RULE_ID,
    displayName: 'OpenAI Owner Invitation or Grant',
    description: [
      'Alerts when someone is invited to an OpenAI organization as an owner (invite.sent), added as an',
      'owner (user.added) or changed to owner (user.updated; OpenAI describes both user events as',
      'project memberships, so the owner may be a project owner). Owners control members, API keys',
      'and settings, so an owner nobody asked for is a classic way to keep access after an account',
      'takeover. HIGH when the person comes from outside the organization (email domain not among the',
      "configured orgDomains, or, without them, not the acting user's own domain) or when that cannot",
      'be told, as for user events, which carry no email; MEDIUM for an owner from inside. Members do',
      'not alert.',
    ].join('\n'),
    runbook: [
      '1. Identify who granted owner (actor) and to whom (invitee_email or target_id, and project_id when the event has one). Match the grant against an access request; ask the granting owner through a channel other than the one the alert came from.',
      '2. For an external or unknown domain, find out whose address it is: a personal mailbox or a look-alike domain of your own is a strong sign of persistence.',
      '3. Pull the audit log around the grant for both identities (GET /v1/organization/audit_logs with actor_ids[] or actor_emails[]): invite.accepted for the same invite, logins from new places, API keys created, other role changes, security settings changed.',
      "4. If the grant is not legitimate: delete the pending invite or remove the user (or set the role back to member), revoke API keys the new owner created, reset the granting account's credentials and sessions, and treat it as compromised until shown otherwise.",
    ].join('\n'),
    reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
    defaultSeverity: 'HIGH',
    reports: { 'MITRE ATT&CK': ['TA0003:T1098.003', 'TA0004:T1098.003', 'TA0003:T1136.003'] },
    tags: ['OpenAI', 'Identity', 'Persistence', 'Privilege Escalation'],
    eventTypes: [INVITE_SENT, USER_ADDED, USER_UPDATED],

    match: (event) => grantOf(event).isOwner,

    title: (event) => {
      const grant = grantOf(event);
      const actor = actorLabel(event);
      if (event.type === INVITE_SENT)
        return `OpenAI Owner Invitation Sent to ${grant.email ?? '<UNKNOWN_EMAIL>'} by [${actor}]`;
      const who = grant.email ?? grant.targetId ?? '<UNKNOWN_USER_ID>';
      if (event.type === USER_ADDED) return `OpenAI User ${who} Added as Owner by [${actor}]`;
      return `OpenAI User Role Changed to Owner (${who}) by [${actor}]`;
    },

    severity: (event): Severity => (grantOf(event).domainClass === 'internal' ? 'MEDIUM' : 'HIGH'),

    // One alert per actor and person: the invitee's email when the event has it, else the payload id.
    dedup: (event) => {
      const grant = grantOf(event);
      const target =
        grant.email !== undefined
          ? `email:${grant.email.toLowerCase()}`
          : grant.targetId !== undefined
            ? `id:${grant.targetId}`
            : 'unknown';
      return `${OWNER_INVITATION_RULE_ID}:${event.actor.key}:${target}`;
    },

    alertContext: (event) => {
      const grant = grantOf(event);
      const context: Record<string, JsonValue> = eventIdentityContext(event);
      context.target_id = grant.targetId ?? '<UNKNOWN_TARGET_ID>';
      context.role = grant.role ?? '<UNKNOWN_ROLE>';
      context.invitee_email = grant.email ?? '<UNKNOWN_INVITEE_EMAIL>';
      context.invitee_domain = grant.domain ?? '<UNKNOWN_INVITEE_DOMAIN>';
      context.invitee_domain_class = grant.domainClass;
      context.org_domains = grant.orgDomains.slice(0, 100);
      context.org_domains_source = grant.orgDomainsSource;
      Object.assign(context, actorContext(event));
      context.ip_details = ipDetails(event);
      return Object.assign(context, extraContext(event));
    },
  };
}
