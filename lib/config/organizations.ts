import { DEFAULT_ORGANIZATION_ID, organizationIdProblem, organizationName } from '../ingestion/packing/organization.ts';
import type { PolledOrganization } from '../ingestion/poller/poll-config.ts';
import { isJsonObject, ownValue } from '../shared/json.ts';
import { ConfigError } from '../shared/config-error.ts';
import { isParameterName } from './env.ts';

export type { PolledOrganization };

/** Most organizations one stack polls (one run lists them one after another). */
export const MAX_ORGANIZATIONS = 20;

/**
 * Reads `ORGANIZATIONS` (JSON: `[{"id": "org-…", "name": "…", "adminKeyParameter": "/…"}]`). Unset
 * or empty means one organization, `default`, with the key in `fallbackParameter` and the cursor
 * at `cursorKey`: exactly what a single-organization stack always had. {@link ConfigError} names
 * the entry and the problem.
 *
 * @example
 * ```ts
 * readOrganizations('[{"id":"org-a","name":"Acme","adminKeyParameter":"/oaa/acme"}]', '/oaa/admin-key', 'ingest-cursor');
 * // [{ organization: { id: 'org-a', name: 'Acme' }, adminKeyParameter: '/oaa/acme', cursorKey: 'ingest-cursor#org-a' }]
 * ```
 */
export function readOrganizations(
  json: string | undefined,
  fallbackParameter: string,
  cursorKey: string,
): PolledOrganization[] {
  if (json === undefined || json.trim() === '' || json.trim() === '[]') {
    return [
      { organization: { id: DEFAULT_ORGANIZATION_ID, name: '' }, adminKeyParameter: fallbackParameter, cursorKey },
    ];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError(
      'ORGANIZATIONS is not JSON: expected [{"id": "org-...", "name": "...", "adminKeyParameter": "/..."}]',
    );
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_ORGANIZATIONS)
    throw new ConfigError(`ORGANIZATIONS must be a JSON array of 1 to ${MAX_ORGANIZATIONS} organizations`);
  const seen = new Set<string>();
  return parsed.map((entry, index) => {
    const where = `ORGANIZATIONS[${index}]`;
    if (!isJsonObject(entry)) throw new ConfigError(`${where} must be an object`);
    const id = ownValue(entry, 'id');
    const problem = organizationIdProblem(id);
    if (problem !== undefined || typeof id !== 'string')
      throw new ConfigError(`${where}.id ${problem ?? 'must be a string'}`);
    if (seen.has(id)) throw new ConfigError(`${where}.id ${JSON.stringify(id)} is listed twice`);
    seen.add(id);
    const parameter = ownValue(entry, 'adminKeyParameter') ?? `/openai-audit-alerts/${id}/admin-key`;
    if (!isParameterName(parameter)) {
      throw new ConfigError(`${where}.adminKeyParameter must be a full SSM parameter name starting with /`);
    }
    return {
      organization: { id, name: organizationName(ownValue(entry, 'name')) },
      adminKeyParameter: parameter,
      cursorKey: id === DEFAULT_ORGANIZATION_ID ? cursorKey : `${cursorKey}#${id}`,
    };
  });
}
