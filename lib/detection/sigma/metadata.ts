import type { RuleInfo } from '../engine/rule.ts';
import type { Severity } from '../engine/severity.ts';
import { printable } from '../../shared/printable.ts';
import type { IgnoredKey } from '../panther/compile.ts';
import { didYouMean } from '../panther/suggest.ts';
import type { Entry, Site, YamlFile } from '../panther/yaml-file.ts';
import { attackReports } from './attack-tags.ts';

/**
 * What a Sigma document says about its rule, read: its id in the engine, the references other
 * documents may name it by, the rule metadata, and its level.
 *
 * @example
 * ```ts
 * const header: SigmaHeader = readHeader(file, (key) => byKey.get(key));
 * header.ruleId; // 'Custom.Key.Burst', or 'Sigma.0e95725d-7320-415d-80f7-004da920fc11'
 * ```
 */
export interface SigmaHeader {
  /** The rule's id in the engine: its `name`, else `Sigma.<id>`. */
  readonly ruleId: string;
  /** Its `id` and `name`, as a correlation's `rules` may name it, with their sites. */
  readonly aliases: ReadonlyArray<{ readonly text: string; readonly site: Site }>;
  /** The document's top line, for problems about the document as a whole. */
  readonly site: Site;
  readonly info: Omit<RuleInfo, 'id' | 'defaultSeverity'>;
  /** The `level`, when given; its site, for a missing level's message. */
  readonly level: Severity | undefined;
  readonly ignored: readonly IgnoredKey[];
}

type Lookup = (key: string) => Entry | undefined;

/** Sigma's levels (sigma-rules-specification.md, "Level") and the engine's severities. */
const LEVELS: ReadonlyMap<string, Severity> = new Map([
  ['informational', 'INFO'],
  ['low', 'LOW'],
  ['medium', 'MEDIUM'],
  ['high', 'HIGH'],
  ['critical', 'CRITICAL'],
]);

const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];

/**
 * What an engine rule id may hold: ids end up in alerts, DynamoDB keys and the rules configuration,
 * so they are kept to letters, digits and `_ . : -` (a UUID, or names like `Custom.Key.Burst`).
 */
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** The prefix of rule ids made from a Sigma `id` (a UUID). */
const SIGMA_ID_PREFIX = 'Sigma.';

function text(file: YamlFile, site: Site, max = Infinity): string {
  const value = file.scalar(site);
  if (typeof value !== 'string' || value.trim() === '') {
    return file.fail(site, `expected a non-empty string, got ${file.describe(site)}`);
  }
  if (value.length > max) return file.fail(site, `longer than ${max} characters (the specification's limit)`);
  return value;
}

function strings(file: YamlFile, site: Site): string[] {
  return file.items(site, 'a list of strings').map((item) => text(file, item));
}

function identifier(file: YamlFile, site: Site): string {
  const value = file.scalar(site);
  // A YAML number (an id like 1234) is read as its text: ids are compared as text.
  const id = typeof value === 'number' ? String(value) : text(file, site);
  if (!RULE_ID.test(id)) {
    return file.fail(
      site,
      `'${printable(id, 60)}' cannot be a rule id here: letters, digits and _ . : - only, at most 128`,
    );
  }
  return id;
}

function readLevel(file: YamlFile, site: Site): Severity {
  const value = file.scalar(site);
  const level = typeof value === 'string' ? LEVELS.get(value) : undefined;
  if (level === undefined) {
    const hint = typeof value === 'string' ? didYouMean(value, [...LEVELS.keys()]) : '';
    return file.fail(site, `expected one of ${[...LEVELS.keys()].join(', ')}, got ${file.describe(site)}${hint}`);
  }
  return level;
}

/** `falsepositives` (a string or a list) as the runbook's first lines: what the analyst checks first. */
function falsePositives(file: YamlFile, site: Site): string {
  const items = file.kind(site) === 'list' ? strings(file, site) : [text(file, site)];
  return ['Known false positives:', ...items.map((item) => `- ${item}`)].join('\n');
}

/**
 * Reads the metadata keys of a Sigma document (sigma-rules-specification.md, "Components"):
 * `title` (required) as the display name, `name` or `id` as the rule id (`name` when given, else
 * `Sigma.<id>`: both are stable, unlike a title; one of them is required), `description`,
 * `references` (joined one a line as the rule's reference), `falsepositives` (as the runbook),
 * `tags` (kept, and ATT&CK tactic and technique tags as `reports`), `level` (informational, low,
 * medium, high, critical as INFO to CRITICAL), `status` (`deprecated` disables the rule,
 * `unsupported` is refused, as the specification says such a rule cannot be used; the others are
 * labels, reported as ignored) and `taxonomy` (only the default, `sigma`).
 *
 * @example
 * ```ts
 * const header = readHeader(file, (key) => byKey.get(key));
 * const rule = { id: header.ruleId, defaultSeverity: header.level ?? 'INFO', ...header.info };
 * ```
 */
export function readHeader(file: YamlFile, get: Lookup): SigmaHeader {
  const root = file.root;
  const ignored: IgnoredKey[] = [];
  const titleEntry = get('title');
  if (titleEntry === undefined) return file.fail({ ...root, path: 'title' }, 'missing: a brief title of the rule');
  const info: { -readonly [K in keyof SigmaHeader['info']]: SigmaHeader['info'][K] } = {
    displayName: text(file, titleEntry.value, 256),
  };
  const aliases: Array<{ text: string; site: Site }> = [];
  const idEntry = get('id');
  const nameEntry = get('name');
  const id = idEntry && identifier(file, idEntry.value);
  const name = nameEntry && identifier(file, nameEntry.value);
  if (id !== undefined && idEntry !== undefined) aliases.push({ text: id, site: idEntry.value });
  if (name !== undefined && nameEntry !== undefined) aliases.push({ text: name, site: nameEntry.value });
  const ruleId = name ?? (id === undefined ? undefined : `${SIGMA_ID_PREFIX}${id}`);
  if (ruleId === undefined) {
    return file.fail({ ...root, path: 'id' }, 'missing: an `id` (a UUID) or a `name`, from which the rule id comes');
  }

  const description = get('description');
  if (description !== undefined) info.description = text(file, description.value);
  const references = get('references');
  if (references !== undefined) info.reference = strings(file, references.value).join('\n');
  const fp = get('falsepositives');
  if (fp !== undefined) info.runbook = falsePositives(file, fp.value);
  const tags = get('tags');
  if (tags !== undefined) {
    info.tags = strings(file, tags.value);
    const attack = attackReports(info.tags);
    if (attack.length > 0) info.reports = { 'MITRE ATT&CK': attack };
  }
  const status = get('status');
  if (status !== undefined) {
    const value = file.scalar(status.value);
    if (typeof value !== 'string' || !STATUSES.includes(value)) {
      const hint = typeof value === 'string' ? didYouMean(value, STATUSES) : '';
      file.fail(status.value, `expected one of ${STATUSES.join(', ')}, got ${file.describe(status.value)}${hint}`);
    }
    if (value === 'unsupported') {
      file.fail(status.value, 'the specification says an unsupported rule cannot be used in its current state');
    }
    // Other labels (stable, test, experimental) say how mature the rule is; it runs either way.
    if (value === 'deprecated') info.enabled = false;
  }
  const taxonomy = get('taxonomy');
  if (taxonomy !== undefined && file.scalar(taxonomy.value) !== 'sigma') {
    file.fail(
      taxonomy.value,
      "only the default taxonomy, 'sigma', is supported: field names are OpenAI's own, as the audit log names them",
    );
  }
  const levelEntry = get('level');
  const level = levelEntry && readLevel(file, levelEntry.value);
  return { ruleId, aliases, site: root, info, level, ignored };
}
