import type { OpenAiAuditEventType } from './event-types.ts';

// Reasons shared by several types; each is used only where it is true of the type.
const REMOVES_ACCESS = 'removes access rather than granting it';
const CREDENTIAL_DELETION =
  'deletion of a credential: a candidate for a mass-deletion threshold, not a single-event alert';
const NO_PAYLOAD = 'no payload in the schema';
const NOTHING_BEYOND_TYPE = `${NO_PAYLOAD}; nothing to judge beyond the type`;

/**
 * Why no rule watches an event type: one line for each type of OpenAI's audit log that no rule of
 * the default catalog watches, grouped by family. `coverage` prints it for the type. A type a rule
 * starts watching leaves this table (a test fails while it is still here).
 *
 * @example
 * ```ts
 * COVERAGE_REASONS['logout.succeeded']; // 'a routine sign-out: no security decision'
 * ```
 */
export const COVERAGE_REASONS: Readonly<Partial<Record<OpenAiAuditEventType, string>>> = {
  // Keys and credentials.
  'certificate.created': 'a certificate uploaded: only its id and name are recorded, nothing to judge risk by',
  'certificate.updated': 'a certificate changed: only its id and name are recorded, nothing that weakens a control',
  'certificates.activated': 'certificates put in use: only their ids and names are recorded; routine set-up',
  'external_key.registered':
    'a customer-managed encryption key registered: adds your own control; its configuration is opaque in the schema',

  // Data and resources.
  'checkpoint.permission.created':
    'a fine-tuned checkpoint shared with a project: a candidate for an alert on projects outside a known set',
  'checkpoint.permission.deleted': `a checkpoint share withdrawn: ${REMOVES_ACCESS}`,

  // Identity and access.
  'group.created': 'a group created with a name only: it grants nothing until it is given a role',
  'group.updated': 'a group renamed: the new name is all that is recorded; no security effect',
  'group.deleted': `a group deleted: ${REMOVES_ACCESS}`,
  'invite.accepted':
    'an invite accepted: the role was decided when it was sent (invite.sent); only the invite id is recorded',
  'invite.deleted': `an invite withdrawn: ${REMOVES_ACCESS}`,
  'logout.succeeded': 'a routine sign-out: no security decision',
  'logout.failed':
    'a failed sign-out: only an error code and message are recorded; no known attack pattern shows in it',

  // Organization and project configuration.
  'project.created': 'a project created: routine activity with only its name and title recorded; no security decision',
  'project.updated': 'a project renamed: the new title is all that is recorded; no security effect',

  // Resources and network.
  'resource.deleted': `a resource deleted: ${NO_PAYLOAD} says which; a candidate for a deletion-volume threshold`,
  'tunnel.created': `a tunnel created: purpose undocumented, ${NOTHING_BEYOND_TYPE}`,
  'tunnel.updated': `a tunnel changed: purpose undocumented, ${NOTHING_BEYOND_TYPE}`,
  'tunnel.deleted': `a tunnel deleted: purpose undocumented, ${NOTHING_BEYOND_TYPE}`,

  // Roles.
  'role.deleted': `a custom role deleted: ${REMOVES_ACCESS}`,
  'role.assignment.deleted': `a role taken from a user or group: ${REMOVES_ACCESS}`,
  'role.unbound_from_resource': `a role unbound from a resource: ${REMOVES_ACCESS}`,

  // Service accounts and members.
  'user.deleted': `a member removed from the organization: ${REMOVES_ACCESS}`,

  // Tenant: metadata, migrations.
  'tenant.metadata.updated': `tenant metadata changed: ${NOTHING_BEYOND_TYPE}`,
  'tenant.migration.completed': `a migration finished: an operational milestone, ${NO_PAYLOAD}; no security decision`,
  'tenant.migration_rollout.status.updated': `migration rollout progress: operational, ${NO_PAYLOAD}; no security decision`,
  'tenant.migration_rollout.tier.updated': `migration rollout tier changed: operational, ${NO_PAYLOAD}; no security decision`,

  // Tenant: workload identity.
  'tenant.workload_identity.access_token.issued':
    'a federated workload got a token: routine, high-volume use of a trust whose set-up is watched',

  // Tenant: keys, tokens, service accounts.
  'tenant.chatgpt_access_token.revoked': `a ChatGPT access token revoked: ${REMOVES_ACCESS}; a mass-revocation candidate`,
  'tenant.service_account.updated': `a service account changed: ${NO_PAYLOAD}, so a promotion to owner cannot be told apart`,
  'tenant.service_account.deleted': CREDENTIAL_DELETION,
  'tenant.service_account.token.revoked': `a service account token revoked: ${REMOVES_ACCESS}; a mass-revocation candidate`,

  // Tenant: authentication.
  'tenant.principal_authentication_policy.resolved':
    'by its name, a policy evaluated for one principal (likely per sign-in): expected in volume, not a change',

  // Tenant: cross-tenant resource sharing.
  'tenant.resource_share_grant.created': `a resource share granted: a candidate for a data-sharing alert; ${NO_PAYLOAD} says what`,
  'tenant.resource_share_grant.updated': `a resource share changed: ${NO_PAYLOAD} says what changed or with whom`,
  'tenant.resource_share_grant.accepted': `a resource share accepted: a candidate for a data-sharing alert; ${NO_PAYLOAD} says what`,
  'tenant.resource_share_grant.declined': 'a resource share declined: no access results; no security decision',
  'tenant.resource_share_grant.revoked': `a resource share revoked: ${REMOVES_ACCESS}`,
  'tenant.resource_share_grant.deleted': `a resource share deleted: ${REMOVES_ACCESS}`,

  // Tenant: billing and usage limits.
  'tenant.billing.info.updated': `billing details changed: a finance matter, ${NOTHING_BEYOND_TYPE}`,
  'tenant.usage_limit.workspace.updated': `a workspace usage limit changed: ${NO_PAYLOAD} says if it was raised or lowered`,
  'tenant.usage_limit.group.updated': `a group usage limit changed: ${NO_PAYLOAD} says if it was raised or lowered`,
  'tenant.usage_limit.user.updated': `a user usage limit changed: ${NO_PAYLOAD} says if it was raised or lowered`,
  'tenant.usage_limit.increase_request.updated': `a usage-limit increase request changed, not yet decided: ${NOTHING_BEYOND_TYPE}`,
  'tenant.usage_limit.increase_request.resolved': `a usage-limit increase request resolved: ${NO_PAYLOAD} says if or how much it was granted`,

  // Tenant: groups and roles.
  'tenant.group.created': `a group created: it grants nothing until it is given a role or access; ${NO_PAYLOAD}`,
  'tenant.group.updated': `a group changed: ${NO_PAYLOAD} says what changed, so nothing to judge beyond the type`,
  'tenant.group.deleted': `a group deleted: ${REMOVES_ACCESS}`,
  'tenant.group.member.added': `a member added to a group: ${NO_PAYLOAD} names the group, so its roles are unknown`,
  'tenant.group.member.removed': `a member removed from a group: ${REMOVES_ACCESS}`,
  'tenant.role.metadata.updated': `role metadata changed, by its name not its permissions: ${NOTHING_BEYOND_TYPE}`,
  'tenant.custom_role.created': `a custom role created: it grants nothing until assigned; ${NO_PAYLOAD} lists its permissions`,
  'tenant.custom_role.updated': `a custom role changed: ${NO_PAYLOAD} says which permissions were added`,
  'tenant.custom_role.deleted': `a custom role deleted: ${REMOVES_ACCESS}`,
  'tenant.role_assignment.created': `a role assigned: ${NO_PAYLOAD} names the role, so an admin grant cannot be told apart`,
  'tenant.role_assignment.deleted': `a role assignment removed: ${REMOVES_ACCESS}`,
  'tenant.resource_role_assignment.created': `a role assigned on a resource: ${NO_PAYLOAD} names the role or the resource`,
  'tenant.resource_role_assignment.deleted': `a role on a resource removed: ${REMOVES_ACCESS}`,
  'tenant.resource_access.updated': `access to a resource changed: ${NO_PAYLOAD} says if it was widened or narrowed`,
  'tenant.resource_access.deleted': `access to a resource removed: ${REMOVES_ACCESS}`,

  // Tenant: other.
  'tenant.ads_account.onboarding.redemption': `a step of ads account onboarding: commercial activity, ${NOTHING_BEYOND_TYPE}`,

  // Tenant: users, memberships, invites.
  'tenant.user.added': `a user added: ${NO_PAYLOAD} gives the role, so an owner grant cannot be told apart`,
  'tenant.user.updated': `a user changed: ${NO_PAYLOAD} says what changed, so a role change cannot be told apart`,
  'tenant.user.removed': `a user removed: ${REMOVES_ACCESS}`,
  'tenant.user.looked_up': 'a user looked up: read-only activity, no security decision',
  'tenant.user.invited': `a user invited: ${NO_PAYLOAD} gives the role, so an owner invite cannot be told apart`,
  'tenant.membership.revoked': `a membership revoked: ${REMOVES_ACCESS}`,
  'tenant.api_organization_invite.upserted': `an API organization invite sent or changed: ${NO_PAYLOAD} gives the role`,
  'tenant.api_organization_invite.deleted': `an API organization invite withdrawn: ${REMOVES_ACCESS}`,
  'tenant.chatgpt_workspace_invite.upserted': `a ChatGPT workspace invite sent or changed: ${NO_PAYLOAD} gives the role`,
  'tenant.membership.accepted': 'an invitation accepted: the access was decided when the invite was sent',
  'tenant.membership.declined': 'an invitation declined: no access results; no security decision',
  'tenant.workspace_invite_email_settings.updated':
    'invite email settings changed: a notification preference with no security effect documented',
};
