import { perEvent } from '../../engine/per-event.ts';
import type { Rule } from '../../engine/rule.ts';
import { maxSeverity, type Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember } from '../../openai/text-field.ts';
import { isJsonObject, ownValue, type JsonObject, type JsonValue } from '../../../shared/json.ts';
import { printable } from '../../../shared/printable.ts';
import { DEFAULT_SCOPE_POLICY } from './default-scope-policy.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext } from './helpers.ts';
import { readScopes } from './key-scopes.ts';
import {
  compileScopePolicy,
  elevatedScopes,
  type CompiledScopePolicy,
  type ElevatedScope,
  type ScopePolicy,
} from './scope-policy.ts';

/** Rule id. */
export const CUSTOM_ROLE_ADMIN_RULE_ID = 'OpenAI.Custom.Role.Admin.Permissions';

const ROLE_CREATED = 'role.created';
const ROLE_UPDATED = 'role.updated';
const ROLE_BOUND = 'role.bound_to_resource';

/** Elevated permissions listed in the alert context, at most; the count says how many there were. */
export const MAX_LISTED_PERMISSIONS = 20;
/** Characters of one permission, role name or id shown, at most. */
const MAX_SHOWN_CHARACTERS = 200;

/**
 * The lowest severity of an alert: a role's permissions reach every user and group the role is
 * assigned to, so an elevated one is HIGH even where the policy (written for API keys) rates it
 * MEDIUM. A policy severity above it (CRITICAL) raises the alert.
 */
export const ROLE_ADMIN_SEVERITY_FLOOR: Severity = 'HIGH';

/** Per event type: the words of the title. */
const ACTIONS: Readonly<Record<string, string>> = {
  [ROLE_CREATED]: 'Custom Role Created',
  [ROLE_UPDATED]: 'Custom Role Updated',
  [ROLE_BOUND]: 'Role Bound to Resource',
};

/** A permission list of the payload: where it was read from, and its value. */
interface PermissionList {
  readonly field: string;
  readonly value: JsonValue | undefined;
}

/** What the rule concluded about one event, computed once and shared by its functions. */
export interface RoleAdminDecision {
  readonly roleId: string | undefined;
  readonly roleName: string | undefined;
  readonly resourceType: string | undefined;
  readonly resourceId: string | undefined;
  /** The permissions granted that the policy marks as elevated, without repeats, in the order given. */
  readonly elevated: readonly ElevatedScope[];
  /** The payload fields the elevated permissions were read from. */
  readonly fields: readonly string[];
  /** Most severe policy severity among {@link elevated}, `undefined` when there is none. */
  readonly policySeverity: Severity | undefined;
  /** Severity of the alert, `undefined` for no alert. */
  readonly severity: Severity | undefined;
}

function changesOf(details: JsonObject | undefined): JsonObject | undefined {
  const changes = details === undefined ? undefined : ownValue(details, 'changes_requested');
  return isJsonObject(changes) ? changes : undefined;
}

/**
 * The lists of permissions an event grants. `role.created` and `role.bound_to_resource`:
 * `permissions` (schema L433-437, L542-546). `role.updated`: `changes_requested.permissions_added`
 * (L464-468) and, as a safe reading, `changes_requested.permissions`, the whole new set that the
 * Roles API's update request takes; `permissions_removed` (L469-473) never grants anything.
 */
function permissionLists(event: AuditEvent): PermissionList[] {
  const details = event.details;
  if (details === undefined) return [];
  if (event.type === ROLE_CREATED || event.type === ROLE_BOUND)
    return [{ field: 'permissions', value: ownValue(details, 'permissions') }];
  if (event.type !== ROLE_UPDATED) return [];
  const changes = changesOf(details);
  if (changes === undefined) return [];
  return [
    { field: 'changes_requested.permissions_added', value: ownValue(changes, 'permissions_added') },
    { field: 'changes_requested.permissions', value: ownValue(changes, 'permissions') },
  ];
}

/**
 * What an event of a role says about the role and the elevated permissions it grants, judged by a
 * compiled elevated-scope policy. Permission lists are read by `readScopes` (flattened strings,
 * separators, invisible characters and full-width letters included); the same permission in two
 * lists counts once.
 *
 * @example
 * ```ts
 * decideRoleAdmin(normalizeAuditEvent({ type: 'role.created',
 *   'role.created': { id: 'role_1', permissions: ['api.management.write'] } }), compileScopePolicy(DEFAULT_SCOPE_POLICY));
 * // { roleId: 'role_1', elevated: [{ scope: 'api.management.write', severity: 'HIGH' }], severity: 'HIGH', ... }
 * ```
 */
export function decideRoleAdmin(event: AuditEvent, policy: CompiledScopePolicy): RoleAdminDecision {
  const details = event.details;
  const changes = event.type === ROLE_UPDATED ? changesOf(details) : undefined;
  // role.bound_to_resource names the role in role_id (L532-534); its id is the resource's (L529-531).
  const roleId = textMember(details, event.type === ROLE_BOUND ? 'role_id' : 'id');
  const roleName = textMember(changes, 'role_name') ?? textMember(details, 'role_name');
  const resourceType = textMember(changes, 'resource_type') ?? textMember(details, 'resource_type');
  const resourceId =
    textMember(changes, 'resource_id') ??
    textMember(details, 'resource_id') ??
    (event.type === ROLE_BOUND ? textMember(details, 'id') : undefined);

  const seen = new Set<string>();
  const elevated: ElevatedScope[] = [];
  const fields: string[] = [];
  let policySeverity: Severity | undefined;
  for (const list of permissionLists(event)) {
    if (list.value === undefined || list.value === null) continue;
    let found = false;
    for (const scope of elevatedScopes(readScopes(list.value), policy)) {
      found = true;
      const key = scope.scope.trim().toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      elevated.push(scope);
      policySeverity = policySeverity === undefined ? scope.severity : maxSeverity(policySeverity, scope.severity);
    }
    if (found) fields.push(list.field);
  }
  const severity = policySeverity === undefined ? undefined : maxSeverity(ROLE_ADMIN_SEVERITY_FLOOR, policySeverity);
  return { roleId, roleName, resourceType, resourceId, elevated, fields, policySeverity, severity };
}

function roleLabel(decision: RoleAdminDecision): string {
  return printable(decision.roleName ?? decision.roleId ?? '<UNKNOWN_ROLE>', MAX_SHOWN_CHARACTERS);
}

/**
 * Creates "OpenAI Custom Role Gains Admin Permissions": a custom role created with, updated to add,
 * or bound to a resource with permissions that the elevated-scope policy (the one the API key rule
 * uses) marks as elevated. HIGH, or the policy's severity when it is CRITICAL.
 *
 * @example
 * ```ts
 * const rule = createCustomRoleAdminRule(loadScopePolicy(process.env));
 * ```
 */
export function createCustomRoleAdminRule(policy: ScopePolicy = DEFAULT_SCOPE_POLICY): Rule<AuditEvent> {
  const compiled = compileScopePolicy(policy);
  // match, title, severity, dedup and alertContext all ask the same question of one event: answer it once.
  const decision = perEvent((event: AuditEvent) => decideRoleAdmin(event, compiled));

  return {
    id: CUSTOM_ROLE_ADMIN_RULE_ID,
    displayName: 'OpenAI Custom Role Gains Admin Permissions',
    description: [
      'Alerts when an OpenAI custom role is created with, or updated to add, administrative permissions',
      '(role.created, role.updated), or when a role is bound to a resource with them (role.bound_to_resource).',
      'Which permissions are administrative is decided by the elevated-scope policy the API key rule uses',
      '(e.g. api.management.write, api.organization.*.write, *.api_keys.write, api.groups.write, api.roles.write).',
      'A role grants its permissions to every user and group it is assigned to, and a role with a bland',
      'name escapes the admin role assignment rule, which only reads role names: building such a role is',
      'a quiet way to persist or to escalate privileges.',
    ].join('\n'),
    runbook: [
      '1. Identify the role (role_id, role_name) and the elevated permissions in the alert, and who changed it (actor). Match the change against an RBAC change request; ask the acting admin through a channel other than the one the alert came from.',
      '2. List who holds the role (GET /v1/organization/roles/{role_id} and the role assignments of users and groups, or role.assignment.created events for the role id) and review what those principals did since the change (GET /v1/organization/audit_logs with actor_ids[]): API keys created, members invited, security settings changed.',
      "3. If the change was not planned: remove the elevated permissions from the role (or delete the role), revoke API keys created by its holders since the change, reset the acting account's credentials and sessions, and treat it as compromised until shown otherwise.",
    ].join('\n'),
    reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
    defaultSeverity: 'HIGH',
    reports: { 'MITRE ATT&CK': ['TA0003:T1098', 'TA0004:T1098.003'] },
    tags: ['OpenAI', 'Privilege Escalation', 'Roles'],
    eventTypes: [ROLE_CREATED, ROLE_UPDATED, ROLE_BOUND],

    match: (event) => decision(event).severity !== undefined,

    title: (event) =>
      `OpenAI ${(event.type !== undefined && ACTIONS[event.type]) || 'Role Changed'} with Admin Permissions: ${roleLabel(decision(event))} by [${actorLabel(event)}]`,

    severity: (event) => decision(event).severity ?? 'DEFAULT',

    // One alert per actor and role: a role created and then widened by one actor within the hour is
    // one incident; two roles are two.
    dedup: (event) => `${CUSTOM_ROLE_ADMIN_RULE_ID}:${event.actor.key}:${decision(event).roleId ?? 'unknown-role'}`,

    alertContext: (event) => {
      const { roleId, roleName, resourceType, resourceId, elevated, fields, policySeverity } = decision(event);
      const details = event.details;
      const context: Record<string, JsonValue> = eventIdentityContext(event);
      context.role_id = roleId === undefined ? '<UNKNOWN_ROLE_ID>' : printable(roleId, MAX_SHOWN_CHARACTERS);
      if (roleName !== undefined) context.role_name = printable(roleName, MAX_SHOWN_CHARACTERS);
      context.resource_type = resourceType ?? '<UNKNOWN_RESOURCE_TYPE>';
      if (resourceId !== undefined) context.resource_id = printable(resourceId, MAX_SHOWN_CHARACTERS);
      context.elevated_permissions = elevated
        .slice(0, MAX_LISTED_PERMISSIONS)
        .map(({ scope }) => printable(scope.trim(), MAX_SHOWN_CHARACTERS));
      context.elevated_permission_count = elevated.length;
      context.permissions_fields = [...fields];
      if (policySeverity !== undefined) context.policy_severity = policySeverity;
      if (event.type === ROLE_BOUND) {
        for (const key of ['connector_id', 'connector_name', 'workspace_id'] as const) {
          const value = textMember(details, key);
          if (value !== undefined) context[key] = printable(value, MAX_SHOWN_CHARACTERS);
        }
      }
      Object.assign(context, actorContext(event));
      return Object.assign(context, extraContext(event));
    },
  };
}
