import type { ScopePolicy } from './scope-policy.ts';

/**
 * The default elevated-scope policy: Panther's five values with Panther's severities, OpenAI's
 * admin-key write scope (`api.management.write`) at the severity of Panther's `admin`, and
 * defensive entries for OpenAI-style spellings of the same privileges. Read-only and ordinary
 * model-usage scopes (`api.all.read`, `api.management.read`, `api.model.read`, `api.model.request`,
 * `api.responses.write`, `api.files.write`...) are deliberately absent. Keys with no scopes at all
 * (OpenAI's "All" keys) are handled by the policy's `unrestrictedKeys` option, on by default. The
 * reasoning and the public source per entry are in `docs/rules/openai-api-key-anomalous-activity.md`.
 *
 * @example
 * ```ts
 * createApiKeyAnomalousActivityRule(DEFAULT_SCOPE_POLICY);
 * ```
 */
export const DEFAULT_SCOPE_POLICY: ScopePolicy = {
  elevatedScopes: [
    // Panther's list, unchanged.
    { exact: 'all', severity: 'HIGH', note: 'Panther: unrestricted key' },
    { exact: 'admin', severity: 'HIGH', note: 'Panther: administrative key' },
    { exact: 'models:write', severity: 'MEDIUM', note: 'Panther' },
    { exact: 'organization:write', severity: 'MEDIUM', note: 'Panther' },
    { exact: 'api_keys:write', severity: 'MEDIUM', note: 'Panther' },
    // Admin API keys: "Organization Administration: Write" administers the whole organization
    // (users, projects, keys, audit logs): Panther's "admin".
    { exact: 'api.management.write', severity: 'HIGH', note: 'admin API key: organization administration (write)' },
    // A literal wildcard scope grants everything: the same privilege as "all".
    { exact: '*', severity: 'HIGH', note: 'wildcard scope: equivalent of "all"' },
    { exact: 'api.*', severity: 'HIGH', note: 'wildcard scope: equivalent of "all"' },
    // Defensive, unsourced as key scopes: OpenAI uses these spellings for role permissions
    // (api.organization.*, api.groups.*); if a key ever carries one, it administers the organization.
    {
      exact: 'api.organization.write',
      severity: 'MEDIUM',
      note: 'role-permission spelling of organization:write (defensive)',
    },
    {
      glob: 'api.organization.*.write',
      severity: 'MEDIUM',
      note: 'role-permission spelling of organization:write (defensive)',
    },
    // Managing API keys, at any level (e.g. api.organization.projects.api_keys.write).
    { exact: 'api_keys.write', severity: 'MEDIUM', note: 'OpenAI-style spelling of api_keys:write (defensive)' },
    { glob: '*.api_keys.write', severity: 'MEDIUM', note: 'role-permission spelling of api_keys:write (defensive)' },
    // Groups and roles decide who holds which permission: managing them is organization administration.
    {
      exact: 'api.groups.write',
      severity: 'MEDIUM',
      note: 'role permission: grants permissions through group membership (defensive)',
    },
    {
      exact: 'api.roles.write',
      severity: 'MEDIUM',
      note: 'unsourced: would define what every role may do (defensive)',
    },
  ],
};
