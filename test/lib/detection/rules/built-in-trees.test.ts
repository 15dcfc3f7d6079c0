// The built-in detections written as data, as a bundle ships them (scripts/build and bin/ embed
// this JSON in place of the module that parses rules/).
import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import { openAiAuditLogType } from '../../../../lib/detection/openai/log-type.ts';
import { compilePantherRule } from '../../../../lib/detection/panther/compile-rule.ts';
import { parseYamlTree } from '../../../../lib/detection/panther/parse-yaml.ts';
import { YamlFile } from '../../../../lib/detection/panther/yaml-file.ts';
import type { YamlTree } from '../../../../lib/detection/panther/yaml-tree.ts';
import { builtInDetectionTrees, detectionTreesJson } from '../../../../lib/detection/rules/built-in-trees.ts';

const compiled = (trees: readonly YamlTree[]) => trees.map((tree) => compilePantherRule(YamlFile.fromTree(tree)).rule);

describe('detectionTreesJson', () => {
  const trees = builtInDetectionTrees();
  const shipped = JSON.parse(detectionTreesJson(trees)) as YamlTree[];

  it('ships what the compiler reads: the same rules, matching the same events', () => {
    expect(shipped.map((tree) => tree.source)).toEqual(trees.map((tree) => tree.source));
    const [ours, theirs] = [compiled(trees), compiled(shipped)];
    expect(theirs.map((rule) => [rule.id, rule.createAlert, rule.threshold, rule.eventTypes])).toEqual(
      ours.map((rule) => [rule.id, rule.createAlert, rule.threshold, rule.eventTypes]),
    );
    const catalog = new RuleCatalog().register(openAiAuditLogType, theirs);
    const matched = (type: string) => catalog.evaluate(openAiAuditLogType.name, { id: 'e', type }).signals.length;
    expect([matched('login.failed'), matched('login.succeeded'), matched('logout.succeeded')]).toEqual([1, 1, 0]);
  });

  it('leaves out the tests and the text, which a function never reads', () => {
    const keys = (tree: YamlTree) =>
      tree.root?.kind === 'mapping' ? tree.root.entries.map(({ key }) => (key.kind === 'scalar' ? key.value : '')) : [];
    expect(trees.every((tree) => keys(tree).includes('Tests'))).toBe(true);
    expect(shipped.some((tree) => keys(tree).includes('Tests') || tree.text !== '')).toBe(false);
  });

  it('refuses, naming the file, a tree that JSON cannot hold (an anchor holding an alias to itself)', () => {
    const looped = parseYamlTree('RuleID: X\nDetection: &d\n  - Any: *d\n', 'rules/looped.yml');
    expect(() => detectionTreesJson([looped])).toThrow(/^rules\/looped\.yml: cannot be shipped as data: /);
  });
});
