import type { RuleMatch } from '../../detection/engine/result.ts';
import { DEFAULT_ORGANIZATION_ID, organizationLabel, type Organization } from '../../ingestion/packing/organization.ts';

/**
 * The dedup key of a match within its organization: `<organization id>|<rule's key>`, so two
 * organizations never share a dedup window. Events without an organization, and those of the
 * default one (a stack that polls a single, unnamed organization), keep the rule's key as it
 * always was. Organization ids cannot contain `|`, so the mapping is one to one.
 *
 * @example
 * ```ts
 * organizationDedupKey('Rule:api_key.created:user:u1', { id: 'org-a', name: 'A' }); // 'org-a|Rule:api_key.created:user:u1'
 * ```
 */
export function organizationDedupKey(dedup: string, organization: Organization | undefined): string {
  return organization === undefined || organization.id === DEFAULT_ORGANIZATION_ID
    ? dedup
    : `${organization.id}|${dedup}`;
}

/**
 * A match seen within its organization: the org-qualified dedup key, the organization's label
 * before the title (it survives the subject's 100-character cut), and `organization` in the alert
 * context. Unchanged for events without an organization or of the default one.
 *
 * @example
 * ```ts
 * const scoped = scopeToOrganization(match, content.organization);
 * ```
 */
export function scopeToOrganization(match: RuleMatch, organization: Organization | undefined): RuleMatch {
  if (organization === undefined || organization.id === DEFAULT_ORGANIZATION_ID) return match;
  return {
    ...match,
    dedup: organizationDedupKey(match.dedup, organization),
    title: `${organizationLabel(organization)}: ${match.title}`,
    alertContext: { organization: { id: organization.id, name: organization.name }, ...match.alertContext },
  };
}
