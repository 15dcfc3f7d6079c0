// What a correlation may not say here, each refused by name at its line: the metric types,
// conditions that bound the count from above, aliases, malformed timespans, references outside
// the file, and chains the engine cannot express.
import { describe, expect, it } from 'vitest';
import { base, compileError, correlation } from './helpers.ts';

/** A file: the root correlation (its body from line 5 on) over rule `failed`, which follows it. */
const file = (body: string, ...more: string[]) =>
  [correlation(body), base('failed', 'login.failed'), ...more].join('---\n');
const COUNT = '  type: event_count\n  rules: [failed]\n  group-by: [actor.session.user.email]\n  timespan: 10m';

describe('types', () => {
  for (const type of ['value_sum', 'value_avg', 'value_percentile', 'value_median']) {
    it(`refuses ${type} by name`, () => {
      expect(compileError(file(COUNT.replace('event_count', type)))).toMatch(
        new RegExp(`^rules/x\\.yml:5: correlation\\.type: not supported: '${type}' aggregates the values of a field`),
      );
    });
  }

  it('refuses an unknown type, with a suggestion', () => {
    expect(compileError(file(COUNT.replace('event_count', 'event_cout')))).toMatch(/did you mean 'event_count'\?/);
  });
});

describe('conditions', () => {
  const withCondition = (condition: string) => file(`${COUNT}\n  condition:\n${condition}`);

  it('maps gte to the threshold and gt to one more (tested with the rules), and refuses the others by name', () => {
    expect(compileError(withCondition('    lt: 5'))).toMatch(
      /^rules\/x\.yml:10: correlation\.condition\.lt: 'lt' is not supported: the engine alerts as soon as the count reaches/,
    );
    expect(compileError(withCondition('    lte: 5'))).toMatch(/'lte' is not supported/);
    expect(compileError(withCondition('    eq: 5'))).toMatch(/'eq' is not supported/);
    expect(compileError(withCondition('    neq: 5'))).toMatch(
      /'neq' is not supported: a count different from a number/,
    );
  });

  it('refuses a range', () => {
    expect(compileError(withCondition('    gt: 100\n    lte: 200'))).toMatch(
      /^rules\/x\.yml:11: correlation\.condition\.lte: a range \(gt and lte\) is not supported/,
    );
  });

  it('refuses a missing condition, a field outside value_count, and a value_count without one', () => {
    expect(compileError(file(COUNT))).toMatch(/^rules\/x\.yml:5: correlation\.condition: missing/);
    expect(compileError(withCondition('    gte: 5\n    field: actor.session.ip_address'))).toMatch(
      /'field' is for value_count, not event_count/,
    );
    expect(compileError(withCondition('    gte: 5').replace('event_count', 'value_count'))).toMatch(
      /correlation\.condition\.field: missing/,
    );
    expect(compileError(withCondition('    gte: 5\n    percentile: 50'))).toMatch(
      /unknown condition key 'percentile': it belongs to value_percentile/,
    );
  });

  it('refuses a threshold above what a window counts exactly', () => {
    expect(compileError(withCondition('    gte: 201'))).toMatch(/at most 200 here/);
  });

  it('refuses a temporal condition met by fewer than every rule, and extended conditions', () => {
    const temporal = (condition: string) =>
      [
        correlation(
          `  type: temporal\n  rules: [failed, ok]\n  group-by: [actor.session.user.email]\n  timespan: 10m\n  condition:${condition}`,
        ),
        base('failed', 'login.failed'),
        base('ok', 'login.succeeded'),
      ].join('---\n');
    expect(compileError(temporal('\n    gte: 1'))).toMatch(
      /a temporal correlation alerts here when all 2 referenced rules matched/,
    );
    expect(compileError(temporal(' failed and ok'))).toMatch(
      /extended \(boolean\) correlation conditions are a pySigma extension/,
    );
  });
});

describe('other keys', () => {
  it('refuses aliases by name', () => {
    expect(
      compileError(
        file(`${COUNT}\n  condition:\n    gte: 5\n  aliases:\n    user:\n      failed: actor.session.user.email`),
      ),
    ).toMatch(/^rules\/x\.yml:11: correlation\.aliases: 'aliases' .* is not supported/);
  });

  it('refuses unknown keys, with a suggestion', () => {
    expect(compileError(file(`${COUNT}\n  condition:\n    gte: 5\n  groupby: [x]`))).toMatch(
      /unknown correlation key 'groupby' \(did you mean 'group-by'\?\)/,
    );
  });

  it('requires group-by and timespan', () => {
    expect(
      compileError(file('  type: event_count\n  rules: [failed]\n  timespan: 10m\n  condition:\n    gte: 5')),
    ).toMatch(/correlation\["group-by"\]: missing/);
    expect(
      compileError(file('  type: event_count\n  rules: [failed]\n  group-by: [a]\n  condition:\n    gte: 5')),
    ).toMatch(/correlation\.timespan: missing/);
  });

  it('reads timespans in whole minutes, within bounds', () => {
    const at = (timespan: string) => compileError(file(`${COUNT.replace('10m', timespan)}\n  condition:\n    gte: 5`));
    expect(at('30s')).toMatch(/^rules\/x\.yml:8: correlation\.timespan: the engine counts in whole minutes/);
    expect(at('10 minutes')).toMatch(/expected a number and a unit \(s, m, h or d\)/);
    expect(at('1w')).toMatch(/expected a number and a unit/);
    expect(at('2d')).toMatch(/at most 1440 minutes here/);
  });

  it('refuses keys of detection rules, and generate given twice', () => {
    expect(
      compileError(file(`${COUNT}\n  condition:\n    gte: 5`).replace('level: high', 'level: high\nfields: [a]')),
    ).toMatch(/a correlation rule has no 'fields'/);
    expect(
      compileError(
        file(`${COUNT}\n  condition:\n    gte: 5\n  generate: true`).replace(
          'level: high',
          'level: high\ngenerate: false',
        ),
      ),
    ).toMatch(/'generate' is given twice/);
  });
});

describe('references', () => {
  it('must name a rule of the file, with a suggestion', () => {
    expect(compileError(file(`${COUNT.replace('[failed]', '[faild]')}\n  condition:\n    gte: 5`))).toMatch(
      /^rules\/x\.yml:6: correlation\.rules\[0\]: 'faild' is not the id or name of a rule in this file: .*\(did you mean 'failed'\?\)/,
    );
  });

  it('refuses a rule nothing references, and two documents with one name', () => {
    expect(compileError(file(`${COUNT}\n  condition:\n    gte: 5`, base('other', 'login.succeeded')))).toMatch(
      /^rules\/x\.yml:22: a second rule that no correlation references \(the first is at line 1\)/,
    );
    expect(compileError(file(`${COUNT}\n  condition:\n    gte: 5`, base('failed', 'login.succeeded')))).toMatch(
      /^rules\/x\.yml:23: name: 'failed' already names the document at line 12/,
    );
  });

  it('refuses cycles, and a correlation referencing itself', () => {
    const cycle = [
      correlation(
        '  type: event_count\n  rules: [b]\n  group-by: [x]\n  timespan: 10m\n  condition:\n    gte: 2',
        'title: A\nname: a\nlevel: low',
      ),
      correlation(
        '  type: event_count\n  rules: [a]\n  group-by: [x]\n  timespan: 10m\n  condition:\n    gte: 2',
        'title: B\nname: b\nlevel: low',
      ),
    ].join('---\n');
    expect(compileError(cycle)).toMatch(/reference each other in a cycle/);
    expect(
      compileError(
        correlation('  type: event_count\n  rules: [corr]\n  group-by: [x]\n  timespan: 10m\n  condition:\n    gte: 2'),
      ),
    ).toMatch(/a correlation cannot reference itself/);
  });

  it("refuses a rule named as a temporal correlation's any-order signal", () => {
    const text = [
      correlation('  type: temporal\n  rules: [corr.any, b]\n  group-by: [x]\n  timespan: 10m'),
      base('corr.any', 'login.failed'),
      base('b', 'login.succeeded'),
    ].join('---\n');
    expect(compileError(text)).toMatch(
      /rule id corr\.any is taken by the signal that lets corr correlate in any order/,
    );
  });

  it('refuses counting a correlation', () => {
    const text = [
      correlation('  type: event_count\n  rules: [inner]\n  group-by: [x]\n  timespan: 10m\n  condition:\n    gte: 2'),
      correlation(
        '  type: event_count\n  rules: [failed]\n  group-by: [x]\n  timespan: 10m\n  condition:\n    gte: 2',
        'title: Inner\nname: inner',
      ),
      base('failed', 'login.failed'),
    ].join('---\n');
    expect(compileError(text)).toMatch(/event_count counts the events of rules; 'inner' is a correlation/);
  });
});

describe('chains', () => {
  const chain = (inner: string) =>
    [
      correlation(
        '  type: temporal_ordered\n  rules: [many, ok]\n  group-by: [actor.session.user.email]\n  timespan: 10m',
      ),
      correlation(inner, 'title: Many\nname: many'),
      base('failed', 'login.failed'),
      base('ok', 'login.succeeded'),
    ].join('---\n');
  const INNER =
    '  type: event_count\n  rules: [failed]\n  group-by: [actor.session.user.email]\n  timespan: 10m\n  condition:\n    gte: 5';

  it('needs the same group-by and timespan', () => {
    expect(
      compileError(
        chain(INNER.replace('group-by: [actor.session.user.email]', 'group-by: [actor.session.ip_address]')),
      ),
    ).toMatch(
      /^rules\/x\.yml:6: correlation\.rules\[0\]: 'many': its group-by \(actor\.session\.ip_address\) must be the correlation's/,
    );
    expect(compileError(chain(INNER.replace('timespan: 10m', 'timespan: 5m')))).toMatch(
      /its timespan \(5m\) must be the correlation's \(10m\)/,
    );
  });

  it('takes event_count only, within what a step keeps, without its own generate', () => {
    expect(
      compileError(chain(INNER.replace('event_count', 'value_count').replace('gte: 5', 'gte: 5\n    field: x'))),
    ).toMatch(/a value_count correlation cannot be a step of another/);
    expect(compileError(chain(INNER.replace('gte: 5', 'gte: 101')))).toMatch(/at most 100 matches as a step/);
    expect(compileError(chain(`${INNER}\n  generate: true`))).toMatch(
      /only the outermost correlation's 'generate' applies/,
    );
  });
});
