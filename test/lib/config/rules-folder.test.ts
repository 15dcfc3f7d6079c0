// The rules folder's loader over an in-memory folder: which files it reads, in what order, and
// every way a folder can be refused, each naming the file.
import { describe, expect, it } from 'vitest';
import { loadOwnDetections, loadRulesFolder, ownRulesOf, type FolderReader } from '../../../lib/config/rules-folder.ts';
import { ConfigError } from '../../../lib/shared/config-error.ts';

const detection = (id: string, type = 'scim.disabled') => `AnalysisType: rule
RuleID: ${id}
Enabled: true
Severity: High
LogTypes: [OpenAI.Audit]
Detection:
  - Key: type
    Condition: Equals
    Value: ${type}
Tests:
  - Name: ${id} matches
    ExpectedResult: true
    Log: { id: e1, type: ${type} }
`;

function folder(files: Record<string, string>): FolderReader {
  return {
    listFiles: () => Object.keys(files),
    readFile: (path) => {
      const name = path.replace(/^rules\//, '');
      const text = files[name];
      if (text === undefined) throw new Error(`ENOENT: ${name}`);
      return text;
    },
  };
}

describe('loadRulesFolder', () => {
  it('compiles every YAML file, at any depth, in path order, and skips what is not YAML', () => {
    const loaded = loadRulesFolder(
      'rules',
      folder({
        'z.yaml': detection('Own.Z'),
        'identity/a.yml': detection('Own.A'),
        'README.md': '# not a rule',
        'b.YML': detection('Own.B'),
      }),
    );
    expect(loaded.map(({ file, rules }) => [file, rules.map((rule) => rule.id)])).toEqual([
      ['b.YML', ['Own.B']],
      ['identity/a.yml', ['Own.A']],
      ['z.yaml', ['Own.Z']],
    ]);
    expect(loaded[0]?.tests.map((file) => file.tests.map((test) => test.name))).toEqual([['Own.B matches']]);
  });

  it('refuses a folder where two files share a RuleID, naming both', () => {
    expect(() =>
      loadRulesFolder('rules', folder({ 'a.yml': detection('Own.A'), 'b.yml': detection('Own.A') })),
    ).toThrow(new ConfigError('rules/b.yml:2: RuleID "Own.A" is also the RuleID of rules/a.yml:2'));
  });

  it('names the line of a Sigma rule whose name another file took', () => {
    const sigma =
      'title: Scim off\nname: Own.A\nlogsource: { product: openai, service: audit }\ndetection:\n  selection:\n    type: scim.disabled\n  condition: selection\nlevel: high\n';
    expect(() => loadRulesFolder('rules', folder({ 'a.yml': detection('Own.A'), 'b.yml': sigma }))).toThrow(
      new ConfigError('rules/b.yml:2: RuleID "Own.A" is also the RuleID of rules/a.yml:2'),
    );
  });

  it('stops at a detection that does not compile, with its file and line', () => {
    const bad = detection('Own.Bad').replace('Condition: Equals', 'Condition: Equalz');
    expect(() => loadRulesFolder('rules', folder({ 'bad.yml': bad }))).toThrow(ConfigError);
    expect(() => loadRulesFolder('rules', folder({ 'bad.yml': bad }))).toThrow(/^rules\/bad\.yml:8: .*Equalz/);
  });

  it('says which folder or file it cannot read', () => {
    const unreadable: FolderReader = {
      listFiles: () => {
        throw new Error('ENOENT: no such directory');
      },
      readFile: () => '',
    };
    expect(() => loadRulesFolder('missing', unreadable)).toThrow(
      new ConfigError('rules folder "missing": cannot read it: ENOENT: no such directory'),
    );
    const gone: FolderReader = {
      listFiles: () => ['a.yml'],
      readFile: () => {
        throw new Error('EACCES');
      },
    };
    expect(() => loadRulesFolder('rules', gone)).toThrow(new ConfigError('rules/a.yml: cannot read: EACCES'));
  });
});

describe('loadOwnDetections', () => {
  it('loads the folder RULES_DIR names, and nothing without it', () => {
    const reader = folder({ 'a.yml': detection('Own.A') });
    expect(loadOwnDetections({}, reader)).toEqual([]);
    expect(loadOwnDetections({ RULES_DIR: '' }, reader)).toEqual([]);
    expect(ownRulesOf(loadOwnDetections({ RULES_DIR: 'rules' }, reader)).map((rule) => rule.id)).toEqual(['Own.A']);
  });

  it('refuses a detection whose RuleID is a built-in rule’s', () => {
    const reader = folder({ 'mine.yml': detection('OpenAI.SCIM.Configuration.Change') });
    expect(() => loadOwnDetections({ RULES_DIR: 'rules' }, reader)).toThrow(
      new ConfigError(
        `rules/mine.yml:2: RuleID "OpenAI.SCIM.Configuration.Change" is a built-in rule's; choose another id (a built-in rule can be disabled in the rules configuration)`,
      ),
    );
  });
});
