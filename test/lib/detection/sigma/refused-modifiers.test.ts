// Modifiers and values the compiler refuses, each by name, at its line in the file: a rule that
// needs one must fail to compile, never match otherwise.
import { describe, expect, it } from 'vitest';
import { REFUSED_MODIFIERS } from '../../../../lib/detection/sigma/modifiers.ts';
import { compileError, sigma } from './helpers.ts';

/** The error of a rule whose selection (line 9 of the file) is `key: value`. */
function errorOf(key: string, value = 'x'): string {
  return compileError(sigma(`selection:\n  ${key}: ${value}\ncondition: selection`));
}

describe('refused modifiers', () => {
  const cases: Array<[string, RegExp]> = [
    ['base64', /Base64/],
    ['base64offset', /Base64/],
    ['utf16le', /UTF-16/],
    ['utf16be', /UTF-16/],
    ['utf16', /UTF-16/],
    ['wide', /UTF-16/],
    ['windash', /command lines/],
    ['expand', /placeholders/],
    ['fieldref', /two fields/],
    ['neq', /not` in the condition/],
    ['minute', /date/],
    ['hour', /date/],
    ['day', /date/],
    ['week', /date/],
    ['month', /date/],
    ['year', /date/],
  ];

  it('covers every modifier of the table', () => {
    expect(cases.map(([name]) => name).sort()).toEqual([...REFUSED_MODIFIERS.keys()].sort());
  });

  for (const [name, reason] of cases) {
    it(`refuses ${name} by name, with the reason, at its line`, () => {
      const message = errorOf(`api_key.created.data.name|${name}`);
      expect(message).toMatch(
        new RegExp(
          `^rules/x\\.yml:9: detection\\.selection\\["api_key\\.created\\.data\\.name\\|${name}"\\]: modifier '${name}' is not supported: `,
        ),
      );
      expect(message).toMatch(reason);
    });
  }

  it('names an unknown modifier, with a suggestion', () => {
    expect(errorOf('name|startwith')).toBe(
      `rules/x.yml:9: detection.selection["name|startwith"]: unknown modifier 'startwith' (did you mean 'startswith'?)`,
    );
  });
});

describe('modifier combinations', () => {
  it('refuses two comparisons at once', () => {
    expect(errorOf('name|contains|re')).toMatch(/:9: .*modifiers 'contains' and 're' cannot be combined/);
  });

  it('refuses cased outside string comparisons', () => {
    expect(errorOf('name|re|cased')).toMatch(/'cased' applies to string comparisons.*case-sensitive already/);
    expect(errorOf('ip|cidr|cased')).toMatch(/'cased' applies to string comparisons/);
  });

  it('refuses re sub-modifiers without re', () => {
    expect(errorOf('name|contains|i')).toMatch(/'i' is a sub-modifier of 're'/);
  });

  it('refuses a repeated modifier', () => {
    expect(errorOf('name|contains|contains')).toMatch(/modifier 'contains' is given twice/);
  });

  it('refuses all with a single value, and with exists', () => {
    expect(errorOf('name|contains|all', 'x')).toMatch(/:9: .*'all' needs a list of values/);
    expect(errorOf('name|contains|all', '[x]')).toMatch(/:9: .*'all' with a single value/);
    expect(errorOf('name|exists|all', 'true')).toMatch(/'all' needs a list of values; 'exists' takes true or false/);
  });
});

describe('values a modifier does not take', () => {
  it('refuses a non-number for gt, gte, lt, lte', () => {
    expect(errorOf('count|gt', 'ten')).toMatch(/:9: .*'gt' takes a number, got the string "ten"/);
  });

  it('refuses a malformed CIDR', () => {
    expect(errorOf('ip|cidr', '10.0.0.0/33')).toMatch(/:9: detection\.selection\["ip\|cidr"\]: not a CIDR/);
  });

  it('refuses exists without a boolean', () => {
    expect(errorOf('ip|exists', 'yes')).toMatch(/'exists' takes true or false/);
  });

  it('refuses a boolean under a string modifier', () => {
    expect(errorOf('flag|contains', 'true')).toMatch(/'contains' takes a string, got the boolean true/);
  });

  it('refuses a regular expression that does not compile, or that can backtrack exponentially', () => {
    expect(errorOf('name|re', "'(unclosed'")).toMatch(/:9: .*not a valid regular expression/);
    expect(errorOf('name|re', "'(a+)+$'")).toMatch(/a repeated group holds a repetition/);
    expect(errorOf('name|re', "'(?<=x)y'")).toMatch(/lookaround assertions are outside/);
    expect(errorOf('name|re', "'(?i)x'")).toMatch(/inline flags/);
    expect(errorOf('name|re', "'(x)\\1'")).toMatch(/backreferences/);
  });
});

describe('null', () => {
  it('refuses null in a list of values, at its line', () => {
    expect(compileError(sigma(`selection:\n  name:\n    - ''\n    - null\ncondition: selection`))).toMatch(
      /^rules\/x\.yml:11: detection\.selection\.name\[1\]: null cannot be in a list of values/,
    );
  });

  it('refuses null with a modifier', () => {
    expect(errorOf('name|contains', 'null')).toMatch(/null takes no modifier/);
  });
});

describe('selections', () => {
  it('refuses keyword selections (a list of strings, a single value, a key without a field)', () => {
    expect(compileError(sigma(`keywords:\n  - evil\ncondition: keywords`))).toMatch(
      /^rules\/x\.yml:9: detection\.keywords\[0\]: the string "evil" in a selection: keyword selections/,
    );
    expect(compileError(sigma(`keywords: evil\ncondition: keywords`))).toMatch(
      /:8: .*a single value is a keyword selection/,
    );
    expect(compileError(sigma(`keywords:\n  '|all': [a, b]\ncondition: keywords`))).toMatch(
      /:9: .*searches the whole event \(keywords\)/,
    );
  });

  it('refuses empty selections and empty lists of values', () => {
    expect(compileError(sigma(`selection: {}\ncondition: selection`))).toMatch(/an empty selection/);
    expect(compileError(sigma(`selection: []\ncondition: selection`))).toMatch(/an empty selection/);
    expect(errorOf('name', '[]')).toMatch(/an empty list matches nothing/);
  });

  it('refuses a mapping as a value, and a field that is not a path', () => {
    expect(errorOf('name', '{ a: b }')).toMatch(/expected a value or a list of values, got a mapping/);
    expect(errorOf("'a..b'")).toMatch(/field 'a\.\.b' is not a field path/);
  });
});
