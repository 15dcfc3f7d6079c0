// Field paths: Key, DeepKey and KeyPath with list elements ([n], [*]), and the payload key that
// works on both event shapes (OpenAI's dotted key and Panther's underscore key).
import { describe, expect, it } from 'vitest';
import {
  deepKeyPath,
  fieldReader,
  keyPath,
  MISSING,
  parseKeyPath,
  type FieldPath,
} from '../../../../lib/detection/panther/field-path.ts';
import { matches } from './helpers.ts';

const path = (text: string): FieldPath => {
  const parsed = parseKeyPath(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};
const read = (p: FieldPath, raw: unknown, type?: string) => fieldReader(p)(raw, type);

describe('parseKeyPath', () => {
  it('reads names, [n] and [*]', () => {
    expect(path('a.b[2][*].c').segments).toEqual([
      { kind: 'key', name: 'a' },
      { kind: 'key', name: 'b' },
      { kind: 'index', index: 2 },
      { kind: 'each' },
      { kind: 'key', name: 'c' },
    ]);
  });

  it.each(['', 'a..b', 'a.', '.a', '[0]', 'a[x]', 'a[-1]', 'a]'])('refuses %j', (text) => {
    expect(typeof parseKeyPath(text)).toBe('string');
  });
});

describe('fieldReader', () => {
  const event = {
    actor: { session: { user: { email: 'a@example.com' } } },
    roles: [{ name: 'owner' }, { name: 'reader' }, { other: 1 }],
    groups: [{ members: ['a', 'b'] }, { members: ['c'] }],
    empty: null,
  };

  it('reads nested members and list elements', () => {
    expect(read(path('actor.session.user.email'), event)).toBe('a@example.com');
    expect(read(path('roles[1].name'), event)).toBe('reader');
    expect(read(deepKeyPath(['roles', 0, 'name']), event)).toBe('owner');
  });

  it('gives every element with [*], skipping those without the field, flattening a further [*]', () => {
    expect(read(path('roles[*].name'), event)).toEqual(['owner', 'reader']);
    expect(read(path('groups[*].members[*]'), event)).toEqual(['a', 'b', 'c']);
    expect(read(path('groups[*].members'), event)).toEqual([['a', 'b'], ['c']]);
  });

  it('gives MISSING for what is not there, null for a null', () => {
    expect(read(path('actor.api_key.id'), event)).toBe(MISSING);
    expect(read(path('roles[9].name'), event)).toBe(MISSING);
    expect(read(path('actor[0]'), event)).toBe(MISSING);
    expect(read(path('nothing[*].x'), event)).toBe(MISSING);
    expect(read(deepKeyPath(['roles', '0']), event)).toBe(MISSING);
    expect(read(path('empty'), event)).toBeNull();
  });

  it('reads own members only: __proto__ and constructor are data', () => {
    expect(read(keyPath('constructor'), {})).toBe(MISSING);
    expect(read(keyPath('__proto__'), JSON.parse('{"__proto__": {"x": 1}}'))).toEqual({ x: 1 });
  });

  it("finds OpenAI's dotted payload key from Panther's underscore key, and the reverse", () => {
    const openAi = { type: 'api_key.created', 'api_key.created': { id: 'k1' } };
    const panther = { type: 'api_key.created', api_key_created: { id: 'k2' } };
    expect(read(path('api_key_created.id'), openAi, 'api_key.created')).toBe('k1');
    expect(read(path('api_key_created.id'), panther, 'api_key.created')).toBe('k2');
    expect(read(deepKeyPath(['api_key.created', 'id']), openAi, 'api_key.created')).toBe('k1');
    expect(read(deepKeyPath(['api_key.created', 'id']), panther, 'api_key.created')).toBe('k2');
    expect(read(keyPath('api_key.created'), panther, 'api_key.created')).toEqual({ id: 'k2' });
  });

  it("aliases the event's own type only", () => {
    const raw = { type: 'scim.disabled', 'scim.enabled': { id: 'x' } };
    expect(read(path('scim_enabled.id'), raw, 'scim.disabled')).toBe(MISSING);
    expect(read(path('scim_enabled.id'), raw, undefined)).toBe(MISSING);
  });
});

describe('both event shapes, through a compiled detection', () => {
  const underscore = '- { KeyPath: scim_disabled.id, Condition: Equals, Value: org-1 }';
  const dotted = '- { DeepKey: [scim.disabled, id], Condition: Equals, Value: org-1 }';
  const openAi = { type: 'scim.disabled', 'scim.disabled': { id: 'org-1' } };
  const panther = { type: 'scim.disabled', scim_disabled: { id: 'org-1' } };

  it("Panther's underscore key matches both shapes", () => {
    expect(matches(underscore, openAi)).toBe(true);
    expect(matches(underscore, panther)).toBe(true);
  });

  it("OpenAI's dotted key matches both shapes", () => {
    expect(matches(dotted, openAi)).toBe(true);
    expect(matches(dotted, panther)).toBe(true);
  });

  it('KeyPath with list elements', () => {
    const raw = { type: 'api_key.created', 'api_key.created': { data: { scopes: ['api.model.read', 'all'] } } };
    expect(matches('- { KeyPath: "api_key_created.data.scopes[1]", Condition: Equals, Value: all }', raw)).toBe(true);
    expect(matches('- { KeyPath: "api_key_created.data.scopes[*]", Condition: Contains, Value: all }', raw)).toBe(true);
    expect(matches('- { KeyPath: "api_key_created.data.scopes[0]", Condition: Equals, Value: all }', raw)).toBe(false);
  });
});
