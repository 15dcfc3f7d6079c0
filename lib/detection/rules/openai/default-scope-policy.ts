import type { ScopePolicy } from './scope-policy.ts';

/**
 * The default elevated-scope policy: Panther's five values with Panther's severities, plus
 * OpenAI's own spellings (`api.<resource>[.<sub>].<action>`) of the same privileges. Read-only and
 * ordinary model-usage scopes (`api.model.read`, `api.model.request`, `api.responses.write`,
 * `api.files.write`...) are deliberately absent. The reasoning per entry is in
 * `docs/rules/openai-api-key-anomalous-activity.md`.
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
    // A literal wildcard scope grants everything: the same privilege as "all".
    { exact: '*', severity: 'HIGH', note: 'wildcard scope: equivalent of "all"' },
    { exact: 'api.*', severity: 'HIGH', note: 'wildcard scope: equivalent of "all"' },
    // Organization administration (users, projects, invites, admin keys, rate limits...).
    { exact: 'api.organization.write', severity: 'MEDIUM', note: 'OpenAI spelling of organization:write' },
    { glob: 'api.organization.*.write', severity: 'MEDIUM', note: 'OpenAI spelling of organization:write' },
    // Managing API keys, at any level (e.g. api.organization.projects.api_keys.write).
    { exact: 'api_keys.write', severity: 'MEDIUM', note: 'OpenAI spelling of api_keys:write' },
    { glob: '*.api_keys.write', severity: 'MEDIUM', note: 'OpenAI spelling of api_keys:write' },
    // Groups and roles decide who holds which permission: managing them is organization administration.
    { exact: 'api.groups.write', severity: 'MEDIUM', note: 'grants permissions through group membership' },
    { exact: 'api.roles.write', severity: 'MEDIUM', note: 'defines what every role may do' },
  ],
};
