import type { Rule } from '../engine/rule.ts';
import type { AuditEvent } from '../openai/audit-event.ts';
import { compilePantherRule } from '../panther/compile-rule.ts';
import { YamlFile } from '../panther/yaml-file.ts';
import { builtInDetectionTrees } from './built-in-trees.ts';

let compiled: ReadonlyArray<Rule<AuditEvent>> | undefined;

/**
 * The built-in detections written as data, in the repository's own rules folder (`rules/`, Panther
 * simple detections), compiled by the compiler a rules folder's detections go through, once per
 * process. Their `Tests` run with the other rules' tests.
 *
 * @example
 * ```ts
 * new RuleCatalog().register(openAiAuditLogType, [...builtInDetections()]);
 * ```
 */
export function builtInDetections(): ReadonlyArray<Rule<AuditEvent>> {
  compiled ??= builtInDetectionTrees().map((tree) => compilePantherRule(YamlFile.fromTree(tree)).rule);
  return compiled;
}
