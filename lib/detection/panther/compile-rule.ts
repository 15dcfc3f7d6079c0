import type { Rule } from '../engine/rule.ts';
import type { AuditEvent } from '../openai/audit-event.ts';
import { printable } from '../../shared/printable.ts';
import { compileAlertContext } from './alert-context.ts';
import { compileDynamicSeverities } from './dynamic-severities.ts';
import { compileGroupBy } from './group-by.ts';
import { compileMatchList, type Matcher } from './matcher.ts';
import { checkAnalysisType, readMetadata } from './metadata.ts';
import { didYouMean } from './suggest.ts';
import { compileTitleTemplate } from './templates.ts';
import { TOP_LEVEL_KEYS } from './top-level-keys.ts';
import type { Entry, Site, YamlFile } from './yaml-file.ts';

/**
 * A top-level key the file has and the compiler ignores, with why (for a warning).
 *
 * @example
 * ```ts
 * for (const { key, line, reason } of compiled.ignoredKeys) console.warn(`${file}:${line}: ${key} ignored: ${reason}`);
 * ```
 */
export interface IgnoredKey {
  readonly key: string;
  readonly line: number;
  readonly reason: string;
}

/**
 * What a Panther simple detection's keys compile to, before its tests are read.
 *
 * @example
 * ```ts
 * const { rule, ignoredKeys, tests }: CompiledPantherRule = compilePantherRule(file);
 * ```
 */
export interface CompiledPantherRule {
  /** Ready to register in a `RuleCatalog` under the `OpenAI.Audit` log type. */
  readonly rule: Rule<AuditEvent>;
  /** Keys of the file that have no effect here, with the reason, for the caller to warn about. */
  readonly ignoredKeys: readonly IgnoredKey[];
  /** Where the file's `Tests` are, if it has them (read by `compilePantherDetection`). */
  readonly tests: Site | undefined;
}

const KNOWN_KEYS = [...TOP_LEVEL_KEYS.keys()];

/** Checks every top-level key: unknown and refused keys are errors, ignored ones are returned. */
function checkKeys(file: YamlFile, entries: readonly Entry[]): IgnoredKey[] {
  const ignored: IgnoredKey[] = [];
  for (const entry of entries) {
    const treatment = TOP_LEVEL_KEYS.get(entry.key);
    if (treatment === undefined) {
      file.fail(
        { ...entry.keySite, path: '' },
        `unknown top-level key '${printable(entry.key)}'${didYouMean(entry.key, KNOWN_KEYS)}`,
      );
    }
    if (treatment.kind === 'refused') file.fail(entry.keySite, treatment.reason);
    if (treatment.kind === 'ignored')
      ignored.push({ key: entry.key, line: entry.keySite.line, reason: treatment.reason });
  }
  return ignored;
}

function both(filter: Matcher | undefined, detection: Matcher): Matcher {
  // Panther applies inline filters before the detection's logic.
  return filter === undefined ? detection : (root, type) => filter(root, type) && detection(root, type);
}

function intersect(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): string[] | undefined {
  if (a === undefined && b === undefined) return undefined;
  const types = [...(a ?? b ?? [])].filter(
    (type) => (a === undefined || a.has(type)) && (b === undefined || b.has(type)),
  );
  // An empty intersection matches nothing anyway; leave the dispatch to the match function.
  return types.length === 0 ? undefined : types.sort();
}

/**
 * Compiles the keys of one Panther simple-detection file (`AnalysisType: rule` with a `Detection`
 * list of match expressions) into a rule of this engine. Pure: no I/O, no YAML parser (the file is
 * already parsed, see `parseYamlFile`); everything is compiled once into closures over the event,
 * which never throw. Field paths resolve against the event as received (`event.raw`), with OpenAI's
 * dotted payload key and Panther's underscore key standing for each other (see `fieldReader`), so
 * one detection runs on both event shapes.
 *
 * Throws `PantherDetectionError` on any problem, naming the file, the line, the path inside the
 * file and the problem: `rules/x.yml:14: Detection[1].Any[0].Condition: unknown condition
 * 'StartWith' (did you mean 'StartsWith'?)`.
 *
 * @example
 * ```ts
 * const { rule } = compilePantherRule(YamlFile.fromTree(tree));
 * const catalog = new RuleCatalog().register(openAiAuditLogType, [rule]);
 * ```
 */
export function compilePantherRule(file: YamlFile): CompiledPantherRule {
  const root = file.root;
  const entries = file.entries(root, 'a mapping of Panther rule keys');
  const byKey = new Map(entries.map((entry) => [entry.key, entry]));
  const get = (key: string): Entry | undefined => byKey.get(key);
  checkAnalysisType(file, root, get);
  const ignoredKeys = checkKeys(file, entries);
  const metadata = readMetadata(file, root, get);

  const detectionEntry = get('Detection');
  if (detectionEntry === undefined) {
    return file.fail({ ...root, path: 'Detection' }, 'missing: the list of match expressions that decides a match');
  }
  const detection = compileMatchList(file, detectionEntry.value, { inlineFilters: false });
  const filtersEntry = get('InlineFilters');
  const filters = filtersEntry && compileMatchList(file, filtersEntry.value, { inlineFilters: true });
  const matcher = both(filters?.matcher, detection.matcher);
  const eventTypes = intersect(detection.eventTypes, filters?.eventTypes);

  const titleEntry = get('AlertTitle');
  const groupByEntry = get('GroupBy');
  const contextEntry = get('AlertContext');
  const severitiesEntry = get('DynamicSeverities');
  const title = titleEntry && compileTitleTemplate(file, titleEntry.value);
  const dedup = groupByEntry && compileGroupBy(file, groupByEntry.value);
  const context = contextEntry && compileAlertContext(file, contextEntry.value);
  const severity = severitiesEntry && compileDynamicSeverities(file, severitiesEntry.value);

  const rule: Rule<AuditEvent> = {
    ...metadata,
    ...(eventTypes === undefined ? {} : { eventTypes }),
    match: (event) => matcher(event.raw, event.type),
    ...(title === undefined ? {} : { title: (event: AuditEvent) => title(event.raw, event.type) }),
    ...(severity === undefined ? {} : { severity: (event: AuditEvent) => severity(event.raw, event.type) }),
    ...(dedup === undefined ? {} : { dedup: (event: AuditEvent) => dedup(event.raw, event.type) }),
    ...(context === undefined ? {} : { alertContext: (event: AuditEvent) => context(event.raw, event.type) }),
  };
  return { rule, ignoredKeys, tests: get('Tests')?.value };
}
