// `coverage` as a user runs it: the real bin, its stdout, stderr and exit status. What it should say
// is derived from the catalog, so these tests follow the rules as they are added.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COVERAGE_REASONS } from '../../lib/detection/openai/coverage-reasons.ts';
import { OPENAI_AUDIT_EVENT_TYPES } from '../../lib/detection/openai/event-types.ts';
import { createRuleCatalog } from '../../lib/detection/rules/create-rule-catalog.ts';
import { COVERAGE_HELP, MAIN_HELP } from '../../lib/tooling/cli/help.ts';
import { expectedWatchers } from '../support/expected-coverage.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/openai-audit-alerts.js');

// The catalog as configured by nothing but its defaults: none of the variables that configure it.
const CONFIG_VARIABLES = ['RULES_CONFIG', 'RULES_CONFIG_FILE', 'ELEVATED_SCOPE_POLICY', 'ELEVATED_SCOPE_POLICY_FILE'];
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONFIG_VARIABLES.includes(name)));

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...cleanEnv, NO_COLOR: '1', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonRow {
  readonly type: string;
  readonly rules: readonly string[];
  readonly reason?: string;
}

const reasons: Readonly<Record<string, string | undefined>> = COVERAGE_REASONS;
const catalog = createRuleCatalog();
const expected = OPENAI_AUDIT_EVENT_TYPES.map((type) => ({ type, rules: expectedWatchers(catalog, type) }));
const watchedTypes = expected.filter((row) => row.rules.length > 0).length;
const watchingRules = new Set(expected.flatMap((row) => row.rules)).size;
const summary = `${watchedTypes} of ${OPENAI_AUDIT_EVENT_TYPES.length} event types watched by ${watchingRules} rule${watchingRules === 1 ? '' : 's'}`;

describe('openai-audit-alerts coverage', () => {
  it('prints one line per event type, in the schema order, then the summary', () => {
    const { status, stdout, stderr } = run(['coverage']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toBe(summary);
    expect(lines.at(-3)).toBe('');
    const rows = lines.slice(0, -3);
    expect(rows.map((line) => line.split(/\s+/)[0])).toEqual([...OPENAI_AUDIT_EVENT_TYPES]);
    for (const [index, { type, rules }] of expected.entries()) {
      const what = rows[index]?.slice(type.length).trim();
      if (rules.length === 0) {
        expect(what, type).toBe(`not watched: ${reasons[type] ?? ''}`);
        continue;
      }
      const named = rules.map((id) => {
        const kind = catalog.getRule(id)?.kind;
        return kind === 'rule' ? id : `${id} (${kind ?? ''})`;
      });
      expect(what, type).toBe(named.join(', '));
    }
  });

  it('prints {"types": [...]} with --json: the rules per type as the catalog says, a reason only when none', () => {
    const { status, stdout, stderr } = run(['coverage', '--json']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout.endsWith('\n')).toBe(true);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const document = JSON.parse(stdout) as { types: JsonRow[] };
    expect(Object.keys(document)).toEqual(['types']);
    expect(document.types.map((row) => row.type)).toEqual([...OPENAI_AUDIT_EVENT_TYPES]);
    expect(document.types).toEqual(
      expected.map(({ type, rules }) => (rules.length > 0 ? { type, rules } : { type, rules, reason: reasons[type] })),
    );
    for (const row of document.types) {
      expect(Object.keys(row), row.type).toEqual(
        row.rules.length > 0 ? ['type', 'rules'] : ['type', 'rules', 'reason'],
      );
      if (row.rules.length === 0) expect(row.reason, row.type).toEqual(expect.any(String));
    }
  });

  it('has a reason for every type no rule watches, and none left for a type a rule watches', () => {
    const missing = expected.filter((row) => row.rules.length === 0 && reasons[row.type] === undefined);
    expect(
      missing.map((row) => row.type),
      'add a reason to coverage-reasons.ts',
    ).toEqual([]);
    const stale = expected.filter((row) => row.rules.length > 0 && reasons[row.type] !== undefined);
    expect(
      stale.map((row) => row.type),
      'a rule watches these now: remove their reason',
    ).toEqual([]);
  });

  it('follows the rules configuration: rules turned off watch nothing, and are named', () => {
    const off = Object.fromEntries(catalog.knownRules.map((rule) => [rule.id, { enabled: false }]));
    const offByDefault = new Set(catalog.knownRules.filter((rule) => !rule.enabled).map((rule) => rule.id));
    const why = (id: string) => (offByDefault.has(id) ? 'off by default' : 'turned off by the rules configuration');
    const { status, stdout, stderr } = run(['coverage', '--json'], { RULES_CONFIG: JSON.stringify({ rules: off }) });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const { types } = JSON.parse(stdout) as { types: JsonRow[] };
    expect(types.every((row) => row.rules.length === 0)).toBe(true);
    for (const [index, { type, rules }] of expected.entries()) {
      const reason = types[index]?.reason;
      if (rules.length === 0) expect(reason, type).toBe(reasons[type]);
      else
        expect(reason, type).toBe(
          `watched only by rules that are turned off: ${rules.map((id) => `${id} (${why(id)})`).join(', ')}`,
        );
    }
    const text = run(['coverage'], { RULES_CONFIG: JSON.stringify({ rules: off }) });
    expect(text.stdout.trim().split('\n').at(-1)).toBe(
      `0 of ${OPENAI_AUDIT_EVENT_TYPES.length} event types watched by 0 rules`,
    );
  });

  it('prints its help with --help, and is listed in the main help', () => {
    const { status, stdout } = run(['coverage', '--help']);
    expect(status).toBe(0);
    expect(stdout).toBe(COVERAGE_HELP);
    expect(MAIN_HELP).toMatch(/^ {2}coverage \[--json\] +\S/m);
    expect(run(['help', 'coverage']).stdout).toBe(COVERAGE_HELP);
  });

  it.each([
    [['coverage', '--jsn'], 'coverage: unknown option --jsn; see --help\n'],
    [['coverage', '--json=yes'], 'coverage: option --json takes no value; see --help\n'],
    [['coverage', 'extra'], 'coverage: takes no arguments; see --help\n'],
  ])('exits 2 for %j, saying why on stderr', (args, message) => {
    const { status, stdout, stderr } = run(args);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(message);
  });

  it('exits 2 for an invalid rules configuration', () => {
    const { status, stdout, stderr } = run(['coverage'], { RULES_CONFIG: '{"rules": {"Nope": {}}}' });
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^coverage: invalid rules configuration: RULES_CONFIG: rules\["Nope"\]: unknown rule id/);
  });
});
