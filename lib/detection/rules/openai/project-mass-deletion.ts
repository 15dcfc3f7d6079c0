import type { Rule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const PROJECT_MASS_DELETION_RULE_ID = 'OpenAI.Project.Mass.Deletion';

const PROJECT_ARCHIVED = 'project.archived'; // L371-377 {id}
const PROJECT_DELETED = 'project.deleted'; // L378-384 {id}

/** Distinct projects one actor archives or deletes within a window before an alert. */
export const PROJECT_MASS_DELETION_THRESHOLD = 3;

/**
 * The project an archive or deletion is about, as the rule counts it: the payload's project id
 * (L375, L382), else the event (`event:<event id>`: each unidentified event counts as one more
 * project, the safe reading), else `unknown-project`. Not the event's `project`, which is the
 * scope of the action, the default project for admin-key actions (L18-23).
 *
 * @example
 * ```ts
 * removedProject(event); // 'proj_abc', or 'event:audit_log-1' when the payload has no id
 * ```
 */
export function removedProject(event: AuditEvent): string {
  const id = textMember(event.details, 'id');
  if (id !== undefined) return id;
  return event.id === undefined ? 'unknown-project' : `event:${event.id}`;
}

/**
 * "OpenAI Projects Archived or Deleted in Bulk": one actor archives or deletes at least three
 * **distinct** projects within 60 minutes (threshold 3 over `unique()` = the project id), research
 * OAI-IMP-02's threshold part. Archiving and deleting one project counts it once.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers projectMassDeletionRule
 * ```
 */
export const projectMassDeletionRule: Rule<AuditEvent> = {
  id: PROJECT_MASS_DELETION_RULE_ID,
  displayName: 'OpenAI Projects Archived or Deleted in Bulk',
  description: [
    'Alerts when one actor archives or deletes at least three different OpenAI projects within a',
    '60-minute window (project.archived, project.deleted). An archived project can no longer be used or',
    'updated, and a deleted one is gone. One project is routine clean-up; several in a burst looks',
    'like destruction (an attacker, a disgruntled admin, or a script run against the wrong',
    'organization), so the count of distinct projects, not of events, is what this rule watches.',
  ].join('\n'),
  runbook: [
    "1. List the actor's project.archived and project.deleted events for the window and the hour around it (GET /v1/organization/audit_logs with event_types[] and actor_ids[] or actor_emails[]): the alert names only the project that crossed the threshold.",
    '2. Confirm with the owners of those projects, and with the actor through a channel other than the one the alert came from, whether a clean-up was planned (a ticket, a decommissioning list).',
    "3. If not: stop the actor first (revoke its sessions and admin keys, remove its owner role), then ask OpenAI support about restoring the projects the business needs (OpenAI's API reference lists a call to archive a project, none to bring one back) and move the affected applications to working projects and keys meanwhile.",
    "4. Review the actor's other actions around the event: API keys and service accounts deleted, external keys removed, members removed, logging or IP allowlists changed.",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'HIGH',
  dedupPeriodMinutes: 60,
  threshold: PROJECT_MASS_DELETION_THRESHOLD,
  reports: { 'MITRE ATT&CK': ['TA0040:T1485'] },
  tags: ['OpenAI', 'Impact', 'Projects'],
  eventTypes: [PROJECT_ARCHIVED, PROJECT_DELETED],

  unique: removedProject,

  dedup: (event) => `${PROJECT_MASS_DELETION_RULE_ID}:${event.actor.key}`,

  title: (event) => `OpenAI Projects Archived or Deleted in Bulk by [${actorLabel(event)}]`,

  alertContext: (event) => {
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    context.project_action = event.type === PROJECT_ARCHIVED ? 'archived' : 'deleted';
    // The project removed (payload id, L375, L382); `project_id` below is the event's scope.
    context.target_project_id = textMember(event.details, 'id') ?? '<UNKNOWN_PROJECT_ID>';
    context.distinct_projects_threshold = PROJECT_MASS_DELETION_THRESHOLD;
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    return Object.assign(context, extraContext(event));
  },
};
