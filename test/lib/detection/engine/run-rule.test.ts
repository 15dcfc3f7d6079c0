import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../../lib/detection/engine/rule.ts';
import { runRule } from '../../../../lib/detection/engine/run-rule.ts';
import { testRule } from '../../../support/test-rule.ts';

const KEY = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789';
const MASKED = 'sk-proj-…6789';

type Event = { readonly value?: unknown };

function rule(overrides: Partial<Rule<Event>> = {}): Rule<Event> {
  return testRule<Event>('Test.Rule', {
    displayName: 'Test Rule',
    defaultSeverity: 'MEDIUM',
    ...overrides,
  });
}

function matchOf(outcome: ReturnType<typeof runRule>) {
  if (outcome.kind !== 'match') throw new Error(`expected a match, got ${outcome.kind}`);
  return outcome;
}

describe('runRule: match', () => {
  it('reports no match', () => {
    expect(runRule(rule({ match: () => false }), {})).toEqual({ kind: 'no-match' });
  });

  it('turns an exception in match into a rule error, not a no-match', () => {
    const outcome = runRule(
      rule({
        match: () => {
          throw new TypeError('boom');
        },
      }),
      {},
    );
    expect(outcome).toEqual({ kind: 'error', errors: [{ function: 'match', message: 'TypeError: boom' }] });
  });

  it('treats a non-boolean result as a rule error', () => {
    const outcome = runRule(rule({ match: () => 1 as unknown as boolean }), {});
    expect(outcome).toEqual({
      kind: 'error',
      errors: [{ function: 'match', message: 'match() returned number, expected a boolean' }],
    });
  });

  it('survives a thrown value with a hostile toString', () => {
    const hostile = {
      toString: () => {
        throw new Error('no');
      },
    };
    const outcome = runRule(
      rule({
        match: () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- a rule may throw anything.
          throw hostile;
        },
      }),
      {},
    );
    expect(outcome).toEqual({ kind: 'error', errors: [{ function: 'match', message: 'unprintable value thrown' }] });
  });
});

describe('runRule: defaults without auxiliary functions', () => {
  it('uses the display name as title and dedup, the static severity and an empty context', () => {
    const { output, errors } = matchOf(runRule(rule(), {}));
    expect(output).toEqual({ title: 'Test Rule', severity: 'MEDIUM', dedup: 'Test Rule', alertContext: {} });
    expect(errors).toEqual([]);
  });
});

describe('runRule: severity', () => {
  it('upper-cases the result', () => {
    expect(matchOf(runRule(rule({ severity: () => 'high' }), {})).output.severity).toBe('HIGH');
  });

  it('maps DEFAULT to the static severity without an error', () => {
    const outcome = matchOf(runRule(rule({ severity: () => 'DEFAULT' }), {}));
    expect(outcome.output.severity).toBe('MEDIUM');
    expect(outcome.errors).toEqual([]);
  });

  it('falls back to the static severity for an unknown name, and reports it', () => {
    const outcome = matchOf(runRule(rule({ severity: () => 'SEVERE' }), {}));
    expect(outcome.output.severity).toBe('MEDIUM');
    expect(outcome.errors).toEqual([
      {
        function: 'severity',
        message: 'severity() returned "SEVERE", expected one of INFO, LOW, MEDIUM, HIGH, CRITICAL or DEFAULT',
      },
    ]);
  });

  it('shows at most 40 characters of an unknown name, masking a key before the cut', () => {
    const outcome = matchOf(runRule(rule({ severity: () => `${'x'.repeat(20)}${KEY}` }), {}));
    expect(outcome.errors).toEqual([
      {
        function: 'severity',
        message: `severity() returned "${'x'.repeat(20)}${MASKED}", expected one of INFO, LOW, MEDIUM, HIGH, CRITICAL or DEFAULT`,
      },
    ]);
  });

  it('falls back to the static severity when the function throws, and reports it', () => {
    const outcome = matchOf(
      runRule(
        rule({
          severity: () => {
            throw new Error('bad');
          },
        }),
        {},
      ),
    );
    expect(outcome.output.severity).toBe('MEDIUM');
    expect(outcome.errors).toEqual([{ function: 'severity', message: 'Error: bad' }]);
  });
});

describe('runRule: title and dedup', () => {
  it('truncates titles and dedup strings over 1000 characters to 985 + "... (truncated)"', () => {
    const long = 'a'.repeat(1001);
    const { output } = matchOf(runRule(rule({ title: () => long, dedup: () => `d${long}` }), {}));
    expect(output.title).toBe(`${'a'.repeat(985)}... (truncated)`);
    expect(output.title).toHaveLength(1000);
    expect(output.dedup).toBe(`d${'a'.repeat(984)}... (truncated)`);
  });

  it('never cuts through a key: a dedup string drops a key on the cut whole; a title is masked first', () => {
    const long = `${'d'.repeat(970)}${KEY} ${'e'.repeat(100)}`;
    const { output } = matchOf(runRule(rule({ title: () => long, dedup: () => long }), {}));
    expect(output.dedup).toBe(`${'d'.repeat(970)}... (truncated)`);
    expect(output.title).toBe(`${'d'.repeat(970)}${MASKED} e... (truncated)`);
  });

  it('keeps strings of exactly 1000 characters', () => {
    const exact = 'b'.repeat(1000);
    expect(matchOf(runRule(rule({ title: () => exact }), {})).output.title).toBe(exact);
  });

  it('uses the title as dedup when there is no dedup function', () => {
    expect(matchOf(runRule(rule({ title: () => 'T' }), {})).output.dedup).toBe('T');
  });

  it('replaces an empty dedup string by defaultDedupString:<RuleID>', () => {
    expect(matchOf(runRule(rule({ dedup: () => '' }), {})).output.dedup).toBe('defaultDedupString:Test.Rule');
  });

  it('falls back and reports when title or dedup throw or return a non-string', () => {
    const outcome = matchOf(
      runRule(
        rule({
          title: () => {
            throw new Error('t');
          },
          dedup: () => 5 as unknown as string,
        }),
        {},
      ),
    );
    expect(outcome.output.title).toBe('Test Rule');
    expect(outcome.output.dedup).toBe('defaultDedupString:Test.Rule');
    expect(outcome.errors).toEqual([
      { function: 'title', message: 'Error: t' },
      { function: 'dedup', message: 'dedup() returned number, expected a string' },
    ]);
  });

  it('falls back to the display name for an empty title', () => {
    expect(matchOf(runRule(rule({ title: () => '' }), {})).output.title).toBe('Test Rule');
  });
});

describe('runRule: alert context', () => {
  it('returns a plain JSON copy of the context', () => {
    const shared = { n: 1 };
    const { output } = matchOf(runRule(rule({ alertContext: () => ({ shared, skip: undefined }) }), {}));
    expect(output.alertContext).toEqual({ shared: { n: 1 } });
    expect(output.alertContext.shared).not.toBe(shared);
  });

  it('masks keys in member names as well as in values', () => {
    const { output } = matchOf(
      runRule(rule({ alertContext: () => ({ configs: [{ [KEY]: KEY }], [`name ${KEY}`]: 1 }) }), {}),
    );
    expect(output.alertContext).toStrictEqual({ configs: [{ [MASKED]: MASKED }], [`name ${MASKED}`]: 1 });
  });

  it('masks keys in member names when the context takes the JSON round trip (a toJSON)', () => {
    const { output } = matchOf(
      runRule(rule({ alertContext: () => ({ when: new Date(0), [KEY]: { [KEY]: KEY, plain: 'p' } }) }), {}),
    );
    expect(output.alertContext).toStrictEqual({
      when: '1970-01-01T00:00:00.000Z',
      [MASKED]: { [MASKED]: MASKED, plain: 'p' },
    });
  });

  it('becomes {_error} when building it throws', () => {
    const outcome = matchOf(
      runRule(
        rule({
          alertContext: () => {
            throw new RangeError('deep');
          },
        }),
        {},
      ),
    );
    expect(outcome.output.alertContext).toEqual({ _error: 'RangeError: deep' });
    expect(outcome.errors).toEqual([{ function: 'alertContext', message: 'RangeError: deep' }]);
  });

  it('becomes {_error} when it is not an object', () => {
    const outcome = matchOf(runRule(rule({ alertContext: () => [1] as unknown as Record<string, unknown> }), {}));
    expect(outcome.output.alertContext).toEqual({ _error: 'alertContext() returned array, expected an object' });
  });

  it('becomes {_error} when it cannot be serialised', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const outcome = matchOf(runRule(rule({ alertContext: () => cyclic }), {}));
    expect(outcome.output.alertContext._error).toMatch(/^alertContext\(\) is not serialisable as JSON: TypeError/);
  });

  it('is replaced by an _error object over 204,800 characters of JSON, and kept at the limit', () => {
    const sized = (n: number) => ({ k: 'x'.repeat(n - '{"k":""}'.length) });
    expect(JSON.stringify(sized(204_800))).toHaveLength(204_800);
    const atLimit = matchOf(runRule(rule({ alertContext: () => sized(204_800) }), {}));
    expect(atLimit.output.alertContext.k).toHaveLength(204_792);
    const over = matchOf(runRule(rule({ alertContext: () => sized(204_801) }), {}));
    expect(over.output.alertContext).toEqual({
      _error: 'alert context is 204801 characters of JSON, over the limit of 204800; dropped',
    });
    expect(over.errors).toEqual([]);
  });
});
