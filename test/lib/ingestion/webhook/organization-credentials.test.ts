// The webhook secret parameter read by organization: each secret or token authenticates one
// organization (unbound ones the first), and a parameter that would let one authenticate two is
// refused without quoting it.
import { describe, expect, it } from 'vitest';
import { readOrganizationCredentials } from '../../../../lib/ingestion/webhook/organization-credentials.ts';

const ORGS = [
  { id: 'org-acme', name: 'Acme' },
  { id: 'org-globex', name: 'Globex' },
];
const key = (byte: number, length = 32) => Buffer.alloc(length, byte);
const secret = (byte: number, length = 32) => `whsec_${key(byte, length).toString('base64')}`;
const TOKEN = 't'.repeat(32);

describe('readOrganizationCredentials', () => {
  it('gives unbound entries to the first organization and bound ones to theirs', () => {
    // 25 bytes: base64 with "==" padding, and without its whsec_ prefix: still an unbound secret.
    const unprefixed = key(3, 25).toString('base64');
    const credentials = readOrganizationCredentials(
      `${secret(1)} ${unprefixed}\norg-globex=${secret(2)} org-globex=bearer:${TOKEN} org-acme=${secret(1)}`,
      ORGS,
    );
    expect(credentials.of('org-acme')).toEqual({ signingKeys: [key(1), key(3, 25), key(1)], bearerTokens: [] });
    expect(credentials.of('org-globex')).toEqual({ signingKeys: [key(2)], bearerTokens: [TOKEN] });
    expect(credentials.of('org-other')).toEqual({ signingKeys: [], bearerTokens: [] });
    expect(credentials.all).toEqual({ signingKeys: [key(1), key(3, 25), key(2), key(1)], bearerTokens: [TOKEN] });
  });

  it('reads a single-organization parameter as it always was', () => {
    const credentials = readOrganizationCredentials(`${secret(1)} bearer:${TOKEN}`, [{ id: 'default', name: '' }]);
    expect(credentials.of('default')).toEqual({ signingKeys: [key(1)], bearerTokens: [TOKEN] });
  });

  it.each([
    [
      'the same secret unbound and bound to another organization',
      `${secret(1)} org-globex=${secret(1)}`,
      'webhook secret entry 2: entry 1 holds the same signing secret for organization "org-acme"; each organization needs its own',
    ],
    [
      'the same bearer token for two organizations',
      `${secret(1)} org-globex=bearer:${TOKEN} org-acme=bearer:${TOKEN}`,
      'webhook secret entry 3: entry 2 holds the same bearer token for organization "org-globex"; each organization needs its own',
    ],
    [
      'an organization the stack does not have',
      `${secret(1)} org-typo=${secret(2)}`,
      'webhook secret entry 2: binds an organization the stack does not have (it has org-acme, org-globex)',
    ],
    [
      'a bound entry that is not a secret',
      `org-globex=whsec_c2hvcnQ=`,
      'webhook secret entry 1: expected whsec_ and base64 of at least 24 random bytes',
    ],
    ['nothing', ' \n ', 'the webhook secret holds no signing secret'],
  ])('refuses %s, naming the entry, not its value', (_name, value, message) => {
    let thrown: unknown;
    try {
      readOrganizationCredentials(value, ORGS);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toEqual(new Error(message));
  });
});
