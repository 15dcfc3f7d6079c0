import { perEvent } from '../../engine/per-event.ts';
import type { Rule } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textField, textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext } from './helpers.ts';

/** Rule id, kept from Panther. */
export const ADMIN_ROLE_ASSIGNMENT_RULE_ID = 'OpenAI.Admin.Role.Assignment';

const ASSIGNMENT_CREATED = 'role.assignment.created';
const ASSIGNMENT_PREFIX = 'role_assignment_';
const ADMIN_KEYWORDS = ['owner', 'admin'] as const;
// OpenAI's predefined role ids: role-api-<organization|project>-<name>__api-<resource>__<resource id>
// (jianyuan/terraform-provider-openai internal/provider/function_predefined_role_id.go).
const PREDEFINED_ROLE = /^role-api-(organization|project)-([a-z0-9_-]+?)__api-(organization|project)__/i;

/** The role an assignment grants, and where each part was read from. */
export interface AssignedRole {
  readonly roleId: string | undefined;
  readonly roleName: string | undefined;
  readonly resourceType: string | undefined;
  /** `payload` when OpenAI sent the field itself, `assignment-id` when it was parsed from the id. */
  readonly source: 'payload' | 'assignment-id' | 'unknown';
}

/**
 * The role a `role.assignment.created` event grants. Read from the payload where it carries the
 * role (`role_id`, `role_name`, `resource_type`), else from the assignment id, which OpenAI builds as
 * `role_assignment_<role id>_<principal id>`: the role id is what lies between the prefix and the
 * principal id, so role ids that contain underscores are read whole (Panther splits on `_` and
 * reads only the third part). A predefined role id names the role (`owner`, `reader`...) and its
 * resource type; a custom role id (`role_...`) names neither.
 *
 * @example
 * ```ts
 * assignedRole({ id: 'role_assignment_role-api-organization-owner__api-organization__org-1_user-2', principal_id: 'user-2' });
 * // { roleId: 'role-api-organization-owner__api-organization__org-1', roleName: 'owner', resourceType: 'api.organization', source: 'assignment-id' }
 * ```
 */
export function assignedRole(details: unknown): AssignedRole {
  const payloadRoleId = textField(details, ['role_id']);
  const payloadRoleName = textField(details, ['role_name']);
  const payloadResourceType = textField(details, ['resource_type']);
  let roleId = payloadRoleId;
  if (roleId === undefined) {
    const assignmentId = textField(details, ['id']);
    const principalId = textField(details, ['principal_id']);
    if (assignmentId?.startsWith(ASSIGNMENT_PREFIX)) {
      let rest = assignmentId.slice(ASSIGNMENT_PREFIX.length);
      if (principalId !== undefined && rest.endsWith(`_${principalId}`)) rest = rest.slice(0, -principalId.length - 1);
      else if (principalId === undefined && rest.lastIndexOf('_') > 0) rest = rest.slice(0, rest.lastIndexOf('_'));
      roleId = rest === '' ? undefined : rest;
    }
  }
  const predefined = roleId === undefined ? null : PREDEFINED_ROLE.exec(roleId);
  const roleName = payloadRoleName ?? predefined?.[2]?.toLowerCase();
  const resourceType =
    payloadResourceType ?? (predefined?.[3] === undefined ? undefined : `api.${predefined[3].toLowerCase()}`);
  let source: AssignedRole['source'] = 'unknown';
  if (payloadRoleId !== undefined || payloadRoleName !== undefined) source = 'payload';
  else if (roleId !== undefined) source = 'assignment-id';
  return { roleId, roleName, resourceType, source };
}

/** The role of an event, read once for all of the rule's functions. */
const roleOf = perEvent((event: AuditEvent) => assignedRole(event.details));

function adminKeyword(role: AssignedRole): (typeof ADMIN_KEYWORDS)[number] | undefined {
  const name = role.roleName?.toLowerCase();
  return name === undefined ? undefined : ADMIN_KEYWORDS.find((keyword) => name.includes(keyword));
}

/**
 * "OpenAI Admin Role Assignment": an owner or admin role assigned to a user or group. CRITICAL for
 * an owner of the organization, HIGH otherwise (Panther's severities), with the role read as
 * OpenAI sends it.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers adminRoleAssignmentRule
 * ```
 */
export const adminRoleAssignmentRule: Rule<AuditEvent> = {
  id: ADMIN_ROLE_ASSIGNMENT_RULE_ID,
  displayName: 'OpenAI Admin Role Assignment',
  description: [
    'Alerts when an OpenAI organization or project grants an owner or admin role (role.assignment.created).',
    'Those roles can invite and remove members, create and revoke API keys, change billing and turn',
    'security controls such as SSO, SCIM and IP allowlists off, so a grant nobody asked for is a',
    'classic path to persistence after an account takeover, or an insider widening their own reach.',
    '',
    'It reads the role from the payload when OpenAI sends it, else the whole role id from the',
    'assignment id, and reads both the raw OpenAI and the Panther event shapes.',
  ].join('\n'),
  runbook: [
    '1. Identify who granted the role (actor) and who received it (principal_id, and the resource it is scoped to). Match the grant against an access request or change ticket; ask the granting admin through a channel other than the one the alert came from.',
    '2. Pull the audit log around the grant for both identities (GET /v1/organization/audit_logs with actor_ids[] or actor_emails[]): logins from new places, API keys created, other role changes, invitations or security settings changed since.',
    "3. If the grant is not legitimate: remove the role assignment, revoke API keys the principal created since the grant, reset the granting account's credentials and sessions, and treat the granting account as compromised until shown otherwise.",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'HIGH',
  reports: { 'MITRE ATT&CK': ['TA0003:T1098', 'TA0004:T1078', 'TA0005:T1098.003'] },
  tags: ['OpenAI', 'Privilege Escalation'],
  eventTypes: [ASSIGNMENT_CREATED],

  match: (event) => adminKeyword(roleOf(event)) !== undefined,

  title: (event) =>
    `OpenAI Admin Role Assigned to ${textField(event.details, ['principal_id']) ?? 'Unknown'} by [${actorLabel(event)}]`,

  severity: (event): Severity | 'DEFAULT' => {
    const role = roleOf(event);
    const keyword = adminKeyword(role);
    if (keyword === 'owner' && role.resourceType?.toLowerCase().includes('organization')) return 'CRITICAL';
    return 'DEFAULT';
  },

  // One alert per principal and role: two principals made admin are two alerts, even by one actor.
  dedup: (event) => {
    const role = roleOf(event);
    const principal = `${textField(event.details, ['principal_type']) ?? 'principal'}:${textField(event.details, ['principal_id']) ?? 'unknown'}`;
    return `${ADMIN_ROLE_ASSIGNMENT_RULE_ID}:${principal}:${role.roleId ?? role.roleName ?? 'unknown-role'}`;
  },

  alertContext: (event) => {
    const details = event.details;
    const role = roleOf(event);
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    context.assignment_id = textMember(details, 'id') ?? '<UNKNOWN_ASSIGNMENT_ID>';
    context.principal_id = textMember(details, 'principal_id') ?? '<UNKNOWN_PRINCIPAL_ID>';
    context.principal_type = textMember(details, 'principal_type') ?? '<UNKNOWN_PRINCIPAL_TYPE>';
    context.resource_id = textMember(details, 'resource_id') ?? '<UNKNOWN_RESOURCE_ID>';
    context.resource_type = textMember(details, 'resource_type') ?? '<UNKNOWN_RESOURCE_TYPE>';
    Object.assign(context, actorContext(event));
    context.role_id = role.roleId ?? '<UNKNOWN_ROLE_ID>';
    context.role_name = role.roleName ?? '<UNKNOWN_ROLE_NAME>';
    context.role_source = role.source;
    return Object.assign(context, extraContext(event));
  },
};
