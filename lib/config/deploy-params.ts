import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../shared/config-error.ts';
import { parseRulesConfig } from './parse-rules-settings.ts';
import { RULES_DIR_ENV } from './rules-dir.ts';
import { detectionFiles, loadOwnDetections, ownRulesOf } from './rules-folder.ts';
import { createRuleCatalog, type CatalogConfig } from '../detection/rules/create-rule-catalog.ts';
import { parseScopePolicy } from './parse-scope-policy.ts';

/** The deploy parameters that configure the rules, as `serverless.yml` passes them (JSON text or empty). */
export interface DetectionParams {
  readonly elevatedScopePolicy?: unknown;
  readonly rulesConfig?: unknown;
  /** A rules folder to package into the detection function (`rulesDir`). */
  readonly rulesDir?: unknown;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  // A parameter given as YAML in serverless.yml arrives as an object: it means its JSON.
  return (typeof value === 'string' ? value : JSON.stringify(value)).trim();
}

/**
 * Checks the rule configuration deploy parameters with the same parsers the function uses at cold
 * start, so a bad value stops `npm run package` instead of every cold start. Throws an `Error` whose
 * message names the parameter, the JSON path and the problem, e.g. `rulesConfig:
 * rules["OpenAI.Nope"]: unknown rule id (known: ...)`.
 *
 * @example
 * ```ts
 * checkDetectionParams({ elevatedScopePolicy: '', rulesConfig: '{"rules":{}}' });
 * ```
 */
export function checkDetectionParams(params: DetectionParams): void {
  const policy = text(params.elevatedScopePolicy);
  if (policy !== '') parseScopePolicy(policy, 'elevatedScopePolicy');
  const dir = text(params.rulesDir);
  let ownRules: CatalogConfig['ownRules'];
  try {
    ownRules = ownRulesOf(loadOwnDetections({ [RULES_DIR_ENV]: dir }));
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(`rulesDir: ${error.message}`, { cause: error });
    throw error;
  }
  const rules = text(params.rulesConfig);
  if (rules !== '') parseRulesConfig(rules, 'rulesConfig', createRuleCatalog({ ownRules }).knownRules);
}

/** Where a packaged rules folder goes: inside the detection function's bundle, which packages it. */
export const PACKAGED_RULES_DIR = 'dist/detect/rules';

/**
 * Copies the detections of the `rulesDir` deploy parameter (its `.yml` and `.yaml` files, at their
 * paths; {@link checkDetectionParams} compiled them) into {@link PACKAGED_RULES_DIR} under `root`, replacing what a previous package left
 * there, and returns the `RULES_DIR` the function is deployed with: that folder, relative to the
 * function's root, or empty when no folder is given (then nothing is left there).
 *
 * @example
 * ```ts
 * const RULES_DIR = stageRulesFolder('my-rules', process.cwd()); // 'dist/detect/rules'
 * ```
 */
export function stageRulesFolder(rulesDir: unknown, root: string): string {
  const dir = text(rulesDir);
  const target = join(root, PACKAGED_RULES_DIR);
  rmSync(target, { recursive: true, force: true });
  if (dir === '') return '';
  for (const file of detectionFiles(dir)) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(dir, file), join(target, file));
  }
  return PACKAGED_RULES_DIR;
}
