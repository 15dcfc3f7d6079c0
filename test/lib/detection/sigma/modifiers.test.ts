// Every supported value modifier, matching and not matching, on OpenAI-shaped events.
import { describe, expect, it } from 'vitest';
import { matcher } from './helpers.ts';

/** A rule with one selection `selection: { <key>: <value> }`. */
function rule(key: string, value: string): (raw: unknown) => boolean {
  return matcher(`selection:\n  ${key}: ${value}\ncondition: selection`);
}

const created = (data: object, actor: object = {}) => ({
  type: 'api_key.created',
  actor: { type: 'session', session: { user: { email: 'alice@example.com' }, ...actor } },
  'api_key.created': { id: 'key-1', data },
});

describe('string modifiers', () => {
  it('contains puts wildcards around the value', () => {
    const test = rule('api_key.created.data.name|contains', 'PROD');
    expect(test(created({ name: 'my-prod-key' }))).toBe(true);
    expect(test(created({ name: 'my-dev-key' }))).toBe(false);
  });

  it('startswith and endswith anchor one end', () => {
    expect(rule('api_key.created.data.name|startswith', 'ci-')(created({ name: 'CI-deploy' }))).toBe(true);
    expect(rule('api_key.created.data.name|startswith', 'ci-')(created({ name: 'my-ci-deploy' }))).toBe(false);
    expect(rule('api_key.created.data.name|endswith', '-deploy')(created({ name: 'ci-deploy' }))).toBe(true);
    expect(rule('api_key.created.data.name|endswith', '-deploy')(created({ name: 'ci-deploy-2' }))).toBe(false);
  });

  it('keeps wildcards inside a modified value', () => {
    const test = rule('api_key.created.data.name|contains', 'a?c');
    expect(test(created({ name: 'xxabcxx' }))).toBe(true);
    expect(test(created({ name: 'xxacxx' }))).toBe(false);
  });

  it('cased compares case-sensitively, with or without a string modifier', () => {
    expect(rule('api_key.created.data.name|cased', 'Prod')(created({ name: 'Prod' }))).toBe(true);
    expect(rule('api_key.created.data.name|cased', 'Prod')(created({ name: 'prod' }))).toBe(false);
    expect(rule('api_key.created.data.name|contains|cased', 'Prod')(created({ name: 'my-Prod' }))).toBe(true);
    expect(rule('api_key.created.data.name|contains|cased', 'Prod')(created({ name: 'my-prod' }))).toBe(false);
  });

  it('compares a number under a string modifier as its text', () => {
    const test = rule('api_key.created.data.name|startswith', '2024');
    expect(test(created({ name: '2024-key' }))).toBe(true);
    expect(test(created({ name: 2024 }))).toBe(true);
  });
});

describe('all', () => {
  it('turns a list of values into an AND', () => {
    const test = rule('api_key.created.data.scopes|contains|all', '[model, write]');
    expect(test(created({ scopes: ['api.model.write'] }))).toBe(true);
    expect(test(created({ scopes: ['api.model.read', 'api.files.write'] }))).toBe(true);
    expect(test(created({ scopes: ['api.model.read'] }))).toBe(false);
  });

  it('without it, a list of values is an OR', () => {
    const test = rule('api_key.created.data.scopes|contains', '[model, write]');
    expect(test(created({ scopes: ['api.model.read'] }))).toBe(true);
    expect(test(created({ scopes: ['api.files.read'] }))).toBe(false);
  });
});

describe('re', () => {
  it('searches anywhere, case-sensitively', () => {
    const test = rule('api_key.created.data.name|re', "'dep[l]oy-\\d+$'");
    expect(test(created({ name: 'ci-deploy-12' }))).toBe(true);
    expect(test(created({ name: 'ci-DEPLOY-12' }))).toBe(false);
    expect(test(created({ name: 'ci-deploy-12x' }))).toBe(false);
  });

  it('i makes it case-insensitive', () => {
    const test = rule('api_key.created.data.name|re|i', "'^ci-deploy'");
    expect(test(created({ name: 'CI-Deploy-1' }))).toBe(true);
    expect(test(created({ name: 'x-CI-Deploy' }))).toBe(false);
  });

  it('m makes ^ and $ match at line ends', () => {
    expect(rule('api_key.created.data.name|re', "'^second$'")(created({ name: 'first\nsecond' }))).toBe(false);
    expect(rule('api_key.created.data.name|re|m', "'^second$'")(created({ name: 'first\nsecond' }))).toBe(true);
  });

  it('s makes the dot match newlines', () => {
    expect(rule('api_key.created.data.name|re', "'first.second'")(created({ name: 'first\nsecond' }))).toBe(false);
    expect(rule('api_key.created.data.name|re|s', "'first.second'")(created({ name: 'first\nsecond' }))).toBe(true);
  });
});

describe('cidr', () => {
  const test = rule('actor.session.ip_address|cidr', "['10.0.0.0/8', '2001:db8::/32']");

  it('matches IPv4 and IPv6 addresses in the ranges', () => {
    expect(test(created({}, { ip_address: '10.20.30.40' }))).toBe(true);
    expect(test(created({}, { ip_address: '2001:db8::1' }))).toBe(true);
  });

  it('does not match other addresses, or what is not an address', () => {
    expect(test(created({}, { ip_address: '11.0.0.1' }))).toBe(false);
    expect(test(created({}, { ip_address: '2001:db9::1' }))).toBe(false);
    expect(test(created({}, { ip_address: 'not-an-ip' }))).toBe(false);
    expect(test(created({}, {}))).toBe(false);
  });
});

describe('exists', () => {
  it('true: the field is present, even null', () => {
    const test = rule('actor.session.ip_address|exists', 'true');
    expect(test(created({}, { ip_address: '203.0.113.1' }))).toBe(true);
    expect(test(created({}, { ip_address: null }))).toBe(true);
    expect(test(created({}, {}))).toBe(false);
  });

  it('false: the field is absent', () => {
    const test = rule('actor.session.ip_address|exists', 'false');
    expect(test(created({}, {}))).toBe(true);
    expect(test(created({}, { ip_address: '' }))).toBe(false);
  });
});

describe('numeric comparisons', () => {
  const event = (value: unknown) => ({
    type: 'rate_limit.updated',
    'rate_limit.updated': { changes_requested: { max_requests_per_1_minute: value } },
  });
  const field = 'rate_limit.updated.changes_requested.max_requests_per_1_minute';

  it('gt, gte, lt and lte compare with the number', () => {
    expect(rule(`${field}|gt`, '100')(event(101))).toBe(true);
    expect(rule(`${field}|gt`, '100')(event(100))).toBe(false);
    expect(rule(`${field}|gte`, '100')(event(100))).toBe(true);
    expect(rule(`${field}|gte`, '100')(event(99))).toBe(false);
    expect(rule(`${field}|lt`, '100')(event(99.5))).toBe(true);
    expect(rule(`${field}|lt`, '100')(event(100))).toBe(false);
    expect(rule(`${field}|lte`, '100')(event(100))).toBe(true);
    expect(rule(`${field}|lte`, '100')(event(101))).toBe(false);
  });

  it('reads numeric strings, and nothing else', () => {
    expect(rule(`${field}|gt`, '100')(event('150'))).toBe(true);
    expect(rule(`${field}|gt`, '100')(event('lots'))).toBe(false);
    expect(rule(`${field}|gt`, '100')(event(null))).toBe(false);
    expect(rule(`${field}|gt`, '100')({ type: 'rate_limit.updated' })).toBe(false);
  });
});
