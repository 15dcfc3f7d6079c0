// What a review found a Sigma file or a hostile event could do to the compiler, each handled now.
import { describe, expect, it } from 'vitest';
import { compileSigmaFile } from '../../../../lib/detection/sigma/compile.ts';
import { compileError, matcher, sigma } from './helpers.ts';

describe('the Sigma compiler', () => {
  it('reads numbers as before with a pattern that stays linear on a long run of digits', () => {
    const greater = matcher('selection:\n  project.updated.changes_requested.title|gt: 5\ncondition: selection');
    const titled = (title: unknown) => ({
      id: 'e',
      type: 'project.updated',
      'project.updated': { changes_requested: { title } },
    });
    for (const [title, expected] of [
      ['6', true],
      [' 5.5 ', true],
      ['.6e1', true],
      ['-7', false],
      ['4.', false],
      ['1e', false],
      [`${'1'.repeat(100_000)}x`, false],
      [6, true],
    ] as const)
      expect(greater(titled(title)), String(title).slice(0, 20)).toBe(expected);
  });

  it('refuses a regular expression with a counted repetition of a repeating group', () => {
    expect(
      compileError(sigma("selection:\n  actor.session.user.email|re: '^(.*,){12}X'\ncondition: selection")),
    ).toMatch(/^rules\/x\.yml:9: .*a repeated group holds a repetition/);
    // A counted group without a repetition inside, and a counted character, are fine.
    const counted = matcher("selection:\n  actor.session.user.email|re: '^(ab){2}c{3}$'\ncondition: selection");
    expect(counted({ id: 'e', type: 't', actor: { session: { user: { email: 'ababccc' } } } })).toBe(true);
  });

  it('compiles a condition of ten thousand nots without exhausting the stack', () => {
    const negated = matcher(`selection:\n  type: login.failed\ncondition: ${'not '.repeat(10_000)}selection`);
    expect(negated({ id: 'e', type: 'login.failed' })).toBe(true);
    const odd = matcher(`selection:\n  type: login.failed\ncondition: ${'not '.repeat(10_001)}selection`);
    expect(odd({ id: 'e', type: 'login.failed' })).toBe(false);
  });

  it('escapes a field name it refuses', () => {
    expect(compileError(sigma('selection:\n  "a\\e[2J..b": x\ncondition: selection'))).toContain(
      "field 'a\\u001b[2J..b'",
    );
  });

  it('lets ? stand for one character, an emoji included', () => {
    const one = matcher("selection:\n  actor.session.user.email: 'a?c'\ncondition: selection");
    const email = (value: string) => ({ id: 'e', type: 't', actor: { session: { user: { email: value } } } });
    expect(one(email('a\u{1F600}c'))).toBe(true);
    expect(one(email('abc'))).toBe(true);
    expect(one(email('ac'))).toBe(false);
  });

  it('skips empty documents without parsing them, and refuses a file of more than 100 rules', () => {
    const rule = sigma('selection:\n  type: scim.disabled\ncondition: selection');
    expect(compileSigmaFile(`${rule}${'---\n# nothing\n'.repeat(5000)}`, 'x.yml').rules).toHaveLength(1);
    const many = Array.from({ length: 101 }, (_, i) =>
      rule.replace('title: Test rule', `title: Rule ${i}`).replace(/id: .*/, `name: Own.R${i}`),
    );
    expect(compileError(many.join('---\n'))).toMatch(/^rules\/x\.yml:\d+: more than 100 YAML documents in one file$/);
  });

  it('matches an IPv4-mapped IPv6 source against an IPv4 cidr', () => {
    const corporate = matcher('selection:\n  actor.session.ip_address|cidr: 10.0.0.0/8\ncondition: selection');
    const from = (ip: string) => corporate({ id: 'e', type: 't', actor: { session: { ip_address: ip } } });
    expect([from('::ffff:10.1.2.3'), from('::ffff:11.1.2.3')]).toEqual([true, false]);
  });
});
