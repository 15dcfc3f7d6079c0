import { describe, expect, it } from 'vitest';
import type { RuleMatch } from '../../../../lib/detection/engine/result.ts';
import { envelopeOpening } from '../../../../lib/ingestion/packing/envelope.ts';
import { DEFAULT_ORGANIZATION } from '../../../../lib/ingestion/packing/organization.ts';
import { messageContent } from '../../../../lib/pipeline/intake/message-body.ts';
import { organizationDedupKey, scopeToOrganization } from '../../../../lib/pipeline/intake/organization-scope.ts';

const ACME = { id: 'org-acme', name: 'Acme' };
const match = {
  dedup: 'Rule:api_key.created:user:u1',
  title: 'Key by [u1]',
  alertContext: { actor: 'u1' },
} as unknown as RuleMatch;

describe('the organization of a message', () => {
  it('comes from our envelope, with the events under "events"', () => {
    const content = messageContent(`${envelopeOpening(ACME, 'webhook')}{"id":"a","type":"t"},{"id":"b"}]}`);
    expect(content).toMatchObject({
      kind: 'events',
      organization: ACME,
      problems: [{ path: 'events[1]', reason: 'missing required field "type"' }],
    });
    expect(content.kind === 'events' && content.events.map((e) => e.path)).toEqual(['events[0]']);
  });

  it('is absent for bare events and arrays, and a broken envelope is malformed', () => {
    expect(messageContent('[{"id":"a","type":"t"}]')).not.toHaveProperty('organization');
    expect(messageContent('{"envelope":"openai-audit-alerts/events@1","organization":{"id":""},"events":[]}')).toEqual({
      kind: 'malformed',
      reason: 'envelope: organization.id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit',
    });
  });
});

describe('scopeToOrganization', () => {
  it('qualifies the dedup key, prefixes the title and adds the organization to the context', () => {
    expect(scopeToOrganization(match, ACME)).toMatchObject({
      dedup: 'org-acme|Rule:api_key.created:user:u1',
      title: 'Acme: Key by [u1]',
      alertContext: { organization: ACME, actor: 'u1' },
    });
    expect(scopeToOrganization(match, { id: 'org-2', name: '' }).title).toBe('org-2: Key by [u1]');
  });

  it('leaves matches without an organization, or of the default one, exactly as they were', () => {
    expect(scopeToOrganization(match, undefined)).toBe(match);
    expect(scopeToOrganization(match, DEFAULT_ORGANIZATION)).toBe(match);
    expect(organizationDedupKey('k', DEFAULT_ORGANIZATION)).toBe('k');
    expect(organizationDedupKey('k', { id: 'org-b', name: 'B' })).not.toBe(organizationDedupKey('k', ACME));
  });
});
