import { MAX_THRESHOLD } from '../engine/constants.ts';
import type { Rule } from '../engine/rule.ts';
import { parseSeverity, SEVERITIES } from '../engine/severity.ts';
import type { AuditEvent } from '../openai/audit-event.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../openai/constants.ts';
import { printable } from '../../shared/printable.ts';
import type { Entry, Site, YamlFile } from './yaml-file.ts';

/**
 * The metadata of a rule: everything but its functions and event types.
 *
 * @example
 * ```ts
 * const fields: RuleMetadataFields = readMetadata(file, file.root, get); // { id, defaultSeverity, ... }
 * ```
 */
export type RuleMetadataFields = Omit<
  Rule<AuditEvent>,
  'kind' | 'eventTypes' | 'match' | 'title' | 'severity' | 'dedup' | 'alertContext' | 'unique'
>;

/** Panther's pattern for ids and display names (panther_analysis_tool's `NAME_ID_VALIDATION_REGEX`). */
const NAME_OR_ID = /^[^<>&"%]+$/;
/**
 * What a rule id may hold here, beside Panther's pattern: the characters the routing deploy
 * parameters accept (infra/settings.cjs), so an id is never a terminal escape and can be routed.
 */
const RULE_ID = /^[A-Za-z0-9_.:-]+$/;
/** Panther's bounds of `DedupPeriodMinutes` (panther-analysis's rule schema). */
const MIN_DEDUP_MINUTES = 5;
const MAX_DEDUP_MINUTES = 1440;

type Lookup = (key: string) => Entry | undefined;

function text(file: YamlFile, site: Site, nonEmpty: boolean): string {
  const value = file.scalar(site);
  if (typeof value !== 'string' || (nonEmpty && value.trim() === '')) {
    return file.fail(site, `expected ${nonEmpty ? 'a non-empty string' : 'a string'}, got ${file.describe(site)}`);
  }
  return value;
}

function nameOrId(file: YamlFile, site: Site): string {
  const value = text(file, site, true);
  if (!NAME_OR_ID.test(value))
    return file.fail(site, `'${printable(value)}' has a character Panther refuses (< > & " %)`);
  return value;
}

function ruleId(file: YamlFile, site: Site): string {
  const value = nameOrId(file, site);
  if (!RULE_ID.test(value))
    return file.fail(
      site,
      `'${printable(value)}' may hold only letters, digits and _ . : - (it names the rule in routing and logs)`,
    );
  return value;
}

function flag(file: YamlFile, site: Site): boolean {
  const value = file.scalar(site);
  if (typeof value !== 'boolean') return file.fail(site, `expected true or false, got ${file.describe(site)}`);
  return value;
}

function integer(file: YamlFile, site: Site, min: number, max: number): number {
  const value = file.scalar(site);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    return file.fail(site, `expected an integer ${range}, got ${file.describe(site)}`);
  }
  return value;
}

function strings(file: YamlFile, site: Site, allowNumbers = false): string[] {
  return file.items(site, 'a list of strings').map((item) => {
    const value = file.scalar(item);
    if (typeof value === 'string' || (allowNumbers && typeof value === 'number')) return String(value);
    return file.fail(item, `expected a string, got ${file.describe(item)}`);
  });
}

function reports(file: YamlFile, site: Site): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const entry of file.entries(site, 'a mapping of framework to ids')) {
    // Panther's schema allows numbers among a framework's ids (e.g. CIS `1.8`).
    Object.defineProperty(result, entry.key, {
      value: strings(file, entry.value, true),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

function required(file: YamlFile, root: Site, get: Lookup, key: string, what: string): Entry {
  const entry = get(key);
  if (entry === undefined) return file.fail({ ...root, path: key }, `missing: ${what}`);
  return entry;
}

/**
 * Checks `AnalysisType` first: a file that is not a rule (a policy, a correlation rule, a pack)
 * gets that one clear message, not a list of keys it should not have.
 *
 * @example
 * ```ts
 * checkAnalysisType(file, file.root, (key) => byKey.get(key));
 * ```
 */
export function checkAnalysisType(file: YamlFile, root: Site, get: Lookup): void {
  const entry = required(file, root, get, 'AnalysisType', "'rule' (only simple-detection rules compile here)");
  const value = file.scalar(entry.value);
  if (value !== 'rule') {
    file.fail(entry.value, `only rules compile here (AnalysisType: rule), got ${file.describe(entry.value)}`);
  }
}

/**
 * Reads the rule metadata of a Panther file into the rule's fields. As panther_analysis_tool
 * requires, `RuleID`, `Enabled`, `LogTypes` and `Severity` must be present; `LogTypes` must name
 * `OpenAI.Audit` (other log types in the list are ignored: a Panther rule may cover several).
 * `Severity` is read in any case. Values equal to the engine's defaults (dedup 60 minutes, threshold
 * 1, enabled, alerting) are left out, as a rule states only what differs.
 *
 * @example
 * ```ts
 * const metadata = readMetadata(file, file.root, (key) => byKey.get(key));
 * metadata.id; // 'Custom.SCIM.Disabled'
 * ```
 */
export function readMetadata(file: YamlFile, root: Site, get: Lookup): RuleMetadataFields {
  const id = ruleId(file, required(file, root, get, 'RuleID', "the rule's id (a non-empty string)").value);
  const enabled = flag(file, required(file, root, get, 'Enabled', 'true or false').value);
  const logTypes = required(file, root, get, 'LogTypes', `a list naming ${OPENAI_AUDIT_LOG_TYPE}`);
  if (!strings(file, logTypes.value).includes(OPENAI_AUDIT_LOG_TYPE)) {
    file.fail(
      logTypes.value,
      `names no log type this detection can run on: expected ${OPENAI_AUDIT_LOG_TYPE} among them`,
    );
  }
  const severityEntry = required(file, root, get, 'Severity', `one of ${SEVERITIES.join(', ')}`);
  const defaultSeverity = parseSeverity(file.scalar(severityEntry.value));
  if (defaultSeverity === undefined) {
    return file.fail(
      severityEntry.value,
      `expected one of Info, Low, Medium, High, Critical (any case), got ${file.describe(severityEntry.value)}`,
    );
  }
  const fields: { -readonly [K in keyof RuleMetadataFields]: RuleMetadataFields[K] } = { id, defaultSeverity };
  const optional = (key: string): Site | undefined => get(key)?.value;
  const displayName = optional('DisplayName');
  if (displayName !== undefined) fields.displayName = nameOrId(file, displayName);
  for (const [key, field] of [
    ['Description', 'description'],
    ['Runbook', 'runbook'],
    ['Reference', 'reference'],
  ] as const) {
    const site = optional(key);
    if (site !== undefined) fields[field] = text(file, site, false);
  }
  const dedup = optional('DedupPeriodMinutes');
  if (dedup !== undefined) {
    const minutes = integer(file, dedup, MIN_DEDUP_MINUTES, MAX_DEDUP_MINUTES);
    if (minutes !== 60) fields.dedupPeriodMinutes = minutes;
  }
  const createAlert = optional('CreateAlert');
  const signal = createAlert !== undefined && !flag(file, createAlert);
  const threshold = optional('Threshold');
  if (threshold !== undefined) {
    // The pipeline counts at most MAX_THRESHOLD events of a window exactly. A signal never alerts,
    // so its threshold counts nothing (Panther's base rules say 999999).
    const count = integer(file, threshold, 1, signal ? Number.MAX_SAFE_INTEGER : MAX_THRESHOLD);
    if (count !== 1) fields.threshold = count;
  }
  const tags = optional('Tags');
  if (tags !== undefined) fields.tags = strings(file, tags);
  const reportsSite = optional('Reports');
  if (reportsSite !== undefined) fields.reports = reports(file, reportsSite);
  if (signal) fields.createAlert = false;
  if (!enabled) fields.enabled = false;
  return fields;
}
