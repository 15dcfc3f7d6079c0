import { describe, expect, it } from 'vitest';
import { DEFAULT_SCOPE_POLICY } from '../../../../../lib/detection/rules/openai/default-scope-policy.ts';
import { compileScopePolicy, elevatedScopes } from '../../../../../lib/detection/rules/openai/scope-policy.ts';

const compiled = compileScopePolicy(DEFAULT_SCOPE_POLICY);
const severityOf = (scope: string) => elevatedScopes([scope], compiled)[0]?.severity;

describe('default elevated-scope policy', () => {
  it("keeps Panther's five values with Panther's severities", () => {
    expect(['all', 'admin'].map(severityOf)).toEqual(['HIGH', 'HIGH']);
    expect(['models:write', 'organization:write', 'api_keys:write'].map(severityOf)).toEqual([
      'MEDIUM',
      'MEDIUM',
      'MEDIUM',
    ]);
  });

  it('recognises OpenAI-native spellings of the same privileges', () => {
    expect(severityOf('api.organization.projects.api_keys.write')).toBe('MEDIUM');
    expect(severityOf('api.api_keys.write')).toBe('MEDIUM');
    expect(severityOf('api_keys.write')).toBe('MEDIUM');
    expect(severityOf('api.organization.write')).toBe('MEDIUM');
    expect(severityOf('api.organization.users.write')).toBe('MEDIUM');
    expect(severityOf('api.groups.write')).toBe('MEDIUM');
    expect(severityOf('api.roles.write')).toBe('MEDIUM');
    expect(severityOf('*')).toBe('HIGH');
    expect(severityOf('api.*')).toBe('HIGH');
  });

  it('never flags read-only or ordinary model-usage scopes', () => {
    const ordinary = [
      'api.model.read',
      'api.model.request',
      'model.request',
      'api.responses.write',
      'api.files.write',
      'api.fine_tuning.jobs.write',
      'api.assistants.write',
      'api.threads.write',
      'api.vector_stores.write',
      'api.batch.write',
      'api.organization.read',
      'api.organization.projects.api_keys.read',
      'api.groups.read',
      'api.usage.read',
      'models:read',
      'resource.operation',
    ];
    expect(elevatedScopes(ordinary, compiled)).toEqual([]);
  });

  it('compares trimmed and lower-cased, skips blanks and keeps the scope as given', () => {
    expect(elevatedScopes([' ALL ', '', '   ', 'Api.Groups.Write'], compiled)).toEqual([
      { scope: ' ALL ', severity: 'HIGH' },
      { scope: 'Api.Groups.Write', severity: 'MEDIUM' },
    ]);
  });

  it('gives the most severe severity when several entries match', () => {
    const policy = compileScopePolicy({
      elevatedScopes: [
        { exact: 'x.write', severity: 'LOW' },
        { glob: '*.write', severity: 'HIGH' },
        { exact: 'X.WRITE', severity: 'MEDIUM' },
      ],
    });
    expect(elevatedScopes(['x.write'], policy)).toEqual([{ scope: 'x.write', severity: 'HIGH' }]);
    expect(elevatedScopes(['y.write'], policy)).toEqual([{ scope: 'y.write', severity: 'HIGH' }]);
  });
});
