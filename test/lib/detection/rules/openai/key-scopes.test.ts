import { describe, expect, it } from 'vitest';
import { runRule } from '../../../../../lib/detection/engine/run-rule.ts';
import { normalizeAuditEvent } from '../../../../../lib/detection/openai/normalize.ts';
import { createApiKeyAnomalousActivityRule } from '../../../../../lib/detection/rules/openai/api-key-anomalous-activity.ts';
import { DEFAULT_SCOPE_POLICY } from '../../../../../lib/detection/rules/openai/default-scope-policy.ts';
import { flattenedScopes, keyPermissions } from '../../../../../lib/detection/rules/openai/key-scopes.ts';

const created = (payload: unknown) =>
  normalizeAuditEvent({ id: 'e', type: 'api_key.created', 'api_key.created': payload });
const updated = (payload: unknown) =>
  normalizeAuditEvent({ id: 'e', type: 'api_key.updated', 'api_key.updated': payload });

describe('flattenedScopes', () => {
  it.each([
    ['api.model.read,all', ['api.model.read', 'all']],
    ['api.model.read, all', ['api.model.read', 'all']],
    ['api.model.read all\tadmin', ['api.model.read', 'all', 'admin']],
    ['["api.model.read","all"]', ['api.model.read', 'all']],
    [' [ "all" ] ', ['all']],
    ['all', ['all']],
    ['', []],
    ['   ', []],
    ['[]', []],
    // Not a JSON array of strings: read as a separated list, so nothing gains a meaning it lacked.
    ['[1,2]', ['[1', '2]']],
    ['[all', ['[all']],
  ])('reads %j as %j', (text, scopes) => {
    expect(flattenedScopes(text)).toEqual(scopes);
  });
});

describe('keyPermissions', () => {
  it('reads an empty or missing scope list on a created key as unrestricted', () => {
    expect(keyPermissions(created({ id: 'k', data: { scopes: [] } }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(created({ id: 'k', data: {} }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(created({ id: 'k', data: { scopes: null } }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(created({ id: 'k', data: { scopes: '' } }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(created({ id: 'k', data: { scopes: '[]' } }))).toEqual({ kind: 'unrestricted', scopes: [] });
  });

  it('calls a created key with no payload or no data unrecorded, and a payload that is not an object nothing', () => {
    expect(keyPermissions(normalizeAuditEvent({ id: 'e', type: 'api_key.created' }))).toEqual({ kind: 'unrecorded' });
    expect(keyPermissions(created(null))).toEqual({ kind: 'unrecorded' });
    expect(keyPermissions(created({ id: 'k' }))).toEqual({ kind: 'unrecorded' });
    expect(keyPermissions(created({ id: 'k', data: null }))).toEqual({ kind: 'unrecorded' });
    expect(keyPermissions(created('all'))).toEqual({ kind: 'none' });
    expect(keyPermissions(created({ id: 'k', data: 'all' }))).toEqual({ kind: 'none' });
  });

  it('keeps a list of blanks or of non-strings scoped, never unrestricted', () => {
    expect(keyPermissions(created({ data: { scopes: ['', ' '] } }))).toEqual({ kind: 'scoped', scopes: ['', ' '] });
    expect(keyPermissions(created({ data: { scopes: [null, 3] } }))).toEqual({ kind: 'scoped', scopes: [] });
    expect(keyPermissions(created({ data: { scopes: 7 } }))).toEqual({ kind: 'scoped', scopes: [] });
  });

  it('reads an update as unrestricted only for an explicit empty list, and a rename as nothing', () => {
    expect(keyPermissions(updated({ id: 'k', changes_requested: { scopes: [] } }))).toEqual({
      kind: 'unrestricted',
      scopes: [],
    });
    expect(keyPermissions(updated({ id: 'k', data: { scopes: [] } }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(updated({ id: 'k', changes_requested: { name: 'renamed' } }))).toEqual({ kind: 'none' });
    expect(keyPermissions(updated({ id: 'k', changes_requested: { scopes: null } }))).toEqual({ kind: 'none' });
    expect(keyPermissions(updated(null))).toEqual({ kind: 'none' });
    expect(
      keyPermissions(updated({ id: 'k', data: { scopes: [] }, changes_requested: { scopes: ['api.model.read'] } })),
    ).toEqual({
      kind: 'unrestricted',
      scopes: ['api.model.read'],
    });
  });

  it('says nothing about deletions and other event types', () => {
    const deleted = normalizeAuditEvent({
      id: 'e',
      type: 'api_key.deleted',
      'api_key.deleted': { id: 'k', data: { scopes: [] } },
    });
    expect(keyPermissions(deleted)).toEqual({ kind: 'none' });
  });
});

describe('policy options', () => {
  const unrestricted = created({ id: 'k', data: { scopes: [] } });
  const unrecorded = created({ id: 'k' });

  it('alerts on unrestricted keys at the severity of "all", and on unrecorded scopes at MEDIUM, by default', () => {
    const rule = createApiKeyAnomalousActivityRule();
    expect(runRule(rule, unrestricted)).toMatchObject({
      kind: 'match',
      output: { severity: 'HIGH', alertContext: { key_permissions: 'unrestricted' } },
    });
    expect(runRule(rule, unrecorded)).toMatchObject({
      kind: 'match',
      output: { severity: 'MEDIUM', alertContext: { key_permissions: 'unrecorded' } },
    });
  });

  it('follows a policy that rates "all" differently, and turns both off when asked', () => {
    const critical = createApiKeyAnomalousActivityRule({ elevatedScopes: [{ exact: 'ALL', severity: 'CRITICAL' }] });
    expect(runRule(critical, unrestricted)).toMatchObject({ kind: 'match', output: { severity: 'CRITICAL' } });
    const off = createApiKeyAnomalousActivityRule({
      ...DEFAULT_SCOPE_POLICY,
      unrestrictedKeys: false,
      unrecordedScopesSeverity: null,
    });
    expect(runRule(off, unrestricted)).toEqual({ kind: 'no-match' });
    expect(runRule(off, unrecorded)).toEqual({ kind: 'no-match' });
    // Elevated scopes still alert with the option off.
    expect(runRule(off, created({ id: 'k', data: { scopes: ['all'] } }))).toMatchObject({ kind: 'match' });
  });

  it('uses HIGH for unrestricted keys when the policy has no "all" entry', () => {
    const rule = createApiKeyAnomalousActivityRule({ elevatedScopes: [{ exact: 'x', severity: 'LOW' }] });
    expect(runRule(rule, unrestricted)).toMatchObject({ kind: 'match', output: { severity: 'HIGH' } });
  });
});
