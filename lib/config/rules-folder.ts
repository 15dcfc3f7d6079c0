import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CorrelationRule, Rule } from '../detection/engine/rule.ts';
import type { AuditEvent } from '../detection/openai/audit-event.ts';
import { compilePantherDetection, type IgnoredKey } from '../detection/panther/compile.ts';
import { PantherDetectionError } from '../detection/panther/errors.ts';
import { SigmaRuleError, compileSigmaFile } from '../detection/sigma/compile.ts';
import { createRuleCatalog } from '../detection/rules/create-rule-catalog.ts';
import type { RuleTestFile } from '../detection/testing/test-file.ts';
import { ConfigError } from '../shared/config-error.ts';
import { printable, quote } from '../shared/printable.ts';
import { RULES_DIR_ENV } from './rules-dir.ts';

/** A file of the folder: the rules it compiles to, their tests, and the file. */
export interface FolderDetection {
  /** The file, relative to the folder (`identity/scim-disabled.yml`). */
  readonly file: string;
  /** A Panther detection's rule; a Sigma file's rules, a correlation after the rules it reads. */
  readonly rules: ReadonlyArray<Rule<AuditEvent> | CorrelationRule<AuditEvent>>;
  readonly tests: readonly RuleTestFile[];
  readonly ignoredKeys: readonly IgnoredKey[];
  /** The line that names each rule's id (`RuleID:`, or a Sigma `name:` or `id:`), for messages. */
  readonly idLines: ReadonlyMap<string, number>;
}

/**
 * Every rule of a folder's detections, in file order: what the catalog registers.
 *
 * @example
 * ```ts
 * const catalog = createRuleCatalog({ ownRules: ownRulesOf(loadRulesFolder('my-rules')) });
 * ```
 */
export function ownRulesOf(
  detections: readonly FolderDetection[],
): ReadonlyArray<Rule<AuditEvent> | CorrelationRule<AuditEvent>> {
  return detections.flatMap((detection) => detection.rules);
}

/** Where a file names each of `ids`: the first `RuleID:`, `name:` or `id:` line holding it (else 1). */
function idLinesOf(text: string, ids: readonly string[]): Map<string, number> {
  const lines = new Map<string, number>();
  text.split('\n').forEach((line, index) => {
    const named = /^\s*(?:RuleID|name|id)\s*:\s*['"]?([^'"#]*?)['"]?\s*(?:#.*)?$/.exec(line)?.[1];
    if (named === undefined) return;
    for (const id of ids) if ((id === named || id === `Sigma.${named}`) && !lines.has(id)) lines.set(id, index + 1);
  });
  for (const id of ids) if (!lines.has(id)) lines.set(id, 1);
  return lines;
}

/** A Sigma file: a top-level `logsource:` or `correlation:` in any of its documents. */
const SIGMA = /^(?:logsource|correlation)\s*:/m;

/** Compiles one file, as a Sigma rule or a Panther simple detection; problems as `ConfigError`. */
function compileFile(text: string, source: string): Omit<FolderDetection, 'file'> {
  try {
    const compiled = SIGMA.test(text)
      ? compileSigmaFile(text, source)
      : (({ rule, tests, ignoredKeys }) => ({ rules: [rule], tests: [tests], ignoredKeys }))(
          compilePantherDetection(text, source),
        );
    return {
      ...compiled,
      idLines: idLinesOf(
        text,
        compiled.rules.map((rule) => rule.id),
      ),
    };
  } catch (error) {
    if (error instanceof PantherDetectionError || error instanceof SigmaRuleError)
      throw new ConfigError(error.message, { cause: error });
    // A compiler fault still names the file it met.
    throw new ConfigError(`${source}: cannot compile: ${reason(error)}`, { cause: error });
  }
}

/** How the folder is read: the real file system by default, injectable for tests. */
export interface FolderReader {
  /** Every file under `dir`, recursively, as paths relative to it. */
  listFiles(dir: string): string[];
  readFile(path: string): string;
}

/** The files read as detections: YAML (also what `test` reads in a DIR of rule tests). */
export const DETECTION_FILE = /\.ya?ml$/i;

const isDetectionFile = (file: string) => DETECTION_FILE.test(file);

const nodeReader: FolderReader = {
  listFiles: (dir) =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => {
        // A link would be skipped silently (it is not a file entry), or copied as a link when packaged.
        if (entry.isSymbolicLink() && isDetectionFile(entry.name))
          throw new Error(`${join(entry.parentPath, entry.name)} is a symbolic link: copy the file into the folder`);
        return entry.isFile();
      })
      .map((entry) => relative(dir, join(entry.parentPath, entry.name))),
  readFile: (path) => readFileSync(path, 'utf8'),
};

/**
 * The detections in `dir`: every `.yml` or `.yaml` file under it, in path order, compiled as a
 * Sigma rule (a file with a top-level `logsource:` or `correlation:`) or else a Panther simple
 * detection. Any problem stops the load with a {@link ConfigError} naming the file,
 * the line, the path inside it and the problem: an unreadable folder or file, a detection that
 * does not compile, a `RuleID` two files share. A file that is not YAML is skipped (a README).
 *
 * @example
 * ```ts
 * const detections = loadRulesFolder('my-rules');
 * const catalog = createRuleCatalog({ ownRules: ownRulesOf(detections) });
 * ```
 */
export function loadRulesFolder(dir: string, reader: FolderReader = nodeReader): FolderDetection[] {
  const files = detectionFiles(dir, reader);
  const detections: FolderDetection[] = [];
  const byId = new Map<string, string>();
  for (const file of files) {
    const source = printable(join(dir, file));
    let text: string;
    try {
      text = reader.readFile(join(dir, file));
    } catch (error) {
      throw new ConfigError(`${source}: cannot read: ${reason(error)}`);
    }
    const compiled = compileFile(text, source);
    for (const rule of compiled.rules) {
      const other = byId.get(rule.id);
      const at = `${source}:${compiled.idLines.get(rule.id) ?? 1}`;
      if (other !== undefined) throw new ConfigError(`${at}: RuleID ${quote(rule.id)} is also the RuleID of ${other}`);
      byId.set(rule.id, at);
    }
    detections.push({ file, ...compiled });
  }
  return detections;
}

/**
 * The detection files of `dir`, relative to it, in path order: what {@link loadRulesFolder}
 * compiles, and what packaging copies. Throws `ConfigError` when the folder cannot be read.
 *
 * @example
 * ```ts
 * detectionFiles('my-rules'); // ['identity/scim-disabled.yml', 'logins.yml']
 * ```
 */
export function detectionFiles(dir: string, reader: FolderReader = nodeReader): string[] {
  try {
    return reader.listFiles(dir).filter(isDetectionFile).sort();
  } catch (error) {
    throw new ConfigError(`rules folder ${quote(dir)}: cannot read it: ${reason(error)}`);
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? printable(error.message) : 'unreadable';
}

/**
 * The detections of the folder named by `RULES_DIR` (none when it is not set), checked against the
 * built-in rules: a `RuleID` that is a built-in rule's is a `ConfigError` naming the file.
 *
 * @example
 * ```ts
 * for (const { file, rules } of loadOwnDetections(process.env)) console.log(file, rules.length);
 * ```
 */
export function loadOwnDetections(
  env: Readonly<Record<string, string | undefined>>,
  reader: FolderReader = nodeReader,
): FolderDetection[] {
  const dir = env[RULES_DIR_ENV];
  if (dir === undefined || dir === '') return [];
  const detections = loadRulesFolder(dir, reader);
  if (detections.length === 0) return detections;
  const builtIn = new Set(createRuleCatalog().knownRules.map((rule) => rule.id));
  for (const { file, rules, idLines } of detections)
    for (const rule of rules)
      if (builtIn.has(rule.id))
        throw new ConfigError(
          `${printable(join(dir, file))}:${idLines.get(rule.id) ?? 1}: RuleID ${quote(rule.id)} is a built-in rule's; choose another id (a built-in rule can be disabled in the rules configuration)`,
        );
  return detections;
}
