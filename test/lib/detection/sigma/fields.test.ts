// Field names: OpenAI's own paths, the payload named by the event's type (dotted, or Panther's
// underscore form), on both event shapes; list fields match when one element does.
import { describe, expect, it } from 'vitest';
import { compileField } from '../../../../lib/detection/sigma/field.ts';
import { MISSING } from '../../../../lib/detection/panther/field-path.ts';
import { matcher } from './helpers.ts';

const openai = { type: 'api_key.created', 'api_key.created': { id: 'k', data: { scopes: ['api.model.read', 'all'] } } };
const panther = { type: 'api_key.created', api_key_created: { id: 'k', data: { scopes: ['api.model.read', 'all'] } } };

describe('compileField', () => {
  const read = (name: string, raw: { type?: string; [key: string]: unknown }) => {
    const reader = compileField(name);
    if (typeof reader === 'string') throw new Error(reader);
    return reader(raw, raw.type);
  };

  it("reads the payload under the event's dotted type, on both shapes", () => {
    expect(read('api_key.created.data.scopes', openai)).toEqual(['api.model.read', 'all']);
    expect(read('api_key.created.data.scopes', panther)).toEqual(['api.model.read', 'all']);
  });

  it("reads Panther's underscore spelling on both shapes", () => {
    expect(read('api_key_created.data.scopes', openai)).toEqual(['api.model.read', 'all']);
    expect(read('api_key_created.data.scopes', panther)).toEqual(['api.model.read', 'all']);
  });

  it('finds a type with more dots, and the payload itself', () => {
    const raw = { type: 'ip_allowlist.config.activated', 'ip_allowlist.config.activated': { configs: [{ id: 'c1' }] } };
    expect(read('ip_allowlist.config.activated.configs[0].id', raw)).toBe('c1');
    expect(read('ip_allowlist.config.activated.configs[*].id', raw)).toEqual(['c1']);
    expect(read('ip_allowlist.config.activated', raw)).toEqual({ configs: [{ id: 'c1' }] });
  });

  it("only takes the event's own type as the payload key", () => {
    expect(read('api_key.updated.data.scopes', openai)).toBe(MISSING);
    expect(
      read('actor.session.ip_address', { type: 'login.failed', actor: { session: { ip_address: '1.2.3.4' } } }),
    ).toBe('1.2.3.4');
  });

  it('refuses what is not a path', () => {
    expect(compileField('a..b')).toMatch(/empty name between dots/);
    expect(compileField('a[x]')).toMatch(/expected names separated by dots/);
  });
});

describe('list fields in a rule', () => {
  const rule = matcher(`
selection:
  api_key.created.data.scopes: all
condition: selection`);

  it('match when one element matches, on both shapes', () => {
    expect(rule(openai)).toBe(true);
    expect(rule(panther)).toBe(true);
  });

  it('do not match when no element does', () => {
    expect(rule({ ...openai, 'api_key.created': { data: { scopes: ['api.model.read'] } } })).toBe(false);
    expect(rule({ ...openai, 'api_key.created': { data: { scopes: [] } } })).toBe(false);
  });

  it('look into lists within lists', () => {
    expect(rule({ ...openai, 'api_key.created': { data: { scopes: [['x', ['all']]] } } })).toBe(true);
  });
});
