// What a review found a detection file could get past the compiler, each refused now with its line.
import { describe, expect, it } from 'vitest';
import { MAX_THRESHOLD } from '../../../../lib/detection/engine/constants.ts';
import { compile, compileError, detection, outputs } from './helpers.ts';

const TYPE = '- { Key: type, Condition: Equals, Value: login.failed }';

describe('the Panther compiler refuses', () => {
  it(`a Threshold above the ${MAX_THRESHOLD} events a window counts exactly (the function would not start)`, () => {
    expect(compile(detection(TYPE, `Threshold: ${MAX_THRESHOLD}`)).threshold).toBe(MAX_THRESHOLD);
    expect(compileError(detection(TYPE, `Threshold: ${MAX_THRESHOLD + 1}`))).toBe(
      `rules/x.yml:8: Threshold: expected an integer from 1 to ${MAX_THRESHOLD}, got the number ${MAX_THRESHOLD + 1}`,
    );
  });

  it("no Threshold of a signal, which counts nothing (Panther's base rules say 999999)", () => {
    const signal = compile(detection(TYPE, 'CreateAlert: false\nThreshold: 999999'));
    expect([signal.createAlert, signal.threshold]).toEqual([false, 999_999]);
    expect(compileError(detection(TYPE, 'CreateAlert: false\nThreshold: 0'))).toBe(
      `rules/x.yml:9: Threshold: expected an integer from 1 to ${Number.MAX_SAFE_INTEGER}, got the number 0`,
    );
  });

  it('a RuleID a terminal would act on, or that routing cannot name', () => {
    for (const id of ['"Custom.X\\e[2J"', '"Custom.X\\u202e"', '"Custom X"'])
      expect(compileError(detection(TYPE).replace('RuleID: Test.Detection', `RuleID: ${id}`))).toMatch(
        /^rules\/x\.yml:2: RuleID: '.*' may hold only letters, digits and _ \. : -/,
      );
  });

  it('a Value beside the Values of a two-field comparison (it would be ignored)', () => {
    expect(
      compileError(
        detection(
          '- Condition: Equals\n  Value: something-else\n  Values: [{ KeyPath: actor.session.user.email }, { KeyPath: actor.api_key.user.email }]',
        ),
      ),
    ).toBe('rules/x.yml:8: Detection[0].Value: a two-field comparison takes Values only, not Value');
  });

  it('no GroupBy value passes for a missing field, nor for two joined values', () => {
    const rule = compile(detection(TYPE, 'GroupBy:\n  - KeyPath: a\n  - KeyPath: b'));
    const dedup = (raw: Record<string, unknown>) => outputs(rule, { id: 'e', type: 'login.failed', ...raw }).dedup;
    expect(dedup({ b: 'x' })).toBe('<MISSING a>:x');
    expect(dedup({ a: '<MISSING a>', b: 'x' })).toBe('\\<MISSING a>:x');
    expect(dedup({ a: 'p:q', b: 'r' })).not.toBe(dedup({ a: 'p', b: 'q:r' }));
    const one = compile(detection(TYPE, 'GroupBy:\n  - KeyPath: a'));
    expect(outputs(one, { id: 'e', type: 'login.failed' }).dedup).not.toBe(
      outputs(one, { id: 'e', type: 'login.failed', a: '<MISSING a>' }).dedup,
    );
  });

  it('tests an IPv4-mapped IPv6 source as the IPv4 address it maps, as the rules configuration does', () => {
    const rule = compile(
      detection('- { KeyPath: actor.session.ip_address, Condition: IsIPAddressInCIDR, Value: 10.0.0.0/8 }'),
    );
    const from = (ip: string) =>
      outputs(rule, { id: 'e', type: 't', actor: { type: 'session', session: { ip_address: ip } } }).match;
    expect([from('10.1.2.3'), from('::ffff:10.1.2.3'), from('::ffff:a01:203'), from('::ffff:11.1.2.3')]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
