import { SEVERITY_DEFAULT_KEYWORD } from '../engine/constants.ts';
import { parseSeverity, SEVERITIES, type Severity } from '../engine/severity.ts';
import { printable } from '../../shared/printable.ts';
import { compileMatchList, type Matcher } from './matcher.ts';
import { didYouMean } from './suggest.ts';
import type { Site, YamlFile } from './yaml-file.ts';

/**
 * Gives a severity name for the event, or `DEFAULT` for the rule's static severity.
 *
 * @example
 * ```ts
 * const severity: SeverityChooser = compileDynamicSeverities(file, site);
 * severity(event.raw, event.type); // 'HIGH' or 'DEFAULT'
 * ```
 */
export type SeverityChooser = (
  root: unknown,
  eventType: string | undefined,
) => Severity | typeof SEVERITY_DEFAULT_KEYWORD;

const ITEM_KEYS = ['ChangeTo', 'Conditions'];

/**
 * Compiles `DynamicSeverities` (a list of `{ChangeTo, Conditions}`, `Conditions` a list of match
 * expressions that must all match) into the rule's severity function. The first entry whose
 * conditions match gives the severity; when none does, the static `Severity` (`DEFAULT`).
 * Panther's documentation found does not say which entry wins when several match; the first, as
 * written, is the reading that lets a file order them from the most specific.
 *
 * @example
 * ```ts
 * const severity = compileDynamicSeverities(file, site);
 * severity(event.raw, event.type); // 'HIGH' or 'DEFAULT'
 * ```
 */
export function compileDynamicSeverities(file: YamlFile, site: Site): SeverityChooser {
  const items = file.items(site, 'a list of ChangeTo/Conditions pairs');
  if (items.length === 0) return file.fail(site, 'expected at least one ChangeTo/Conditions pair');
  const choices: Array<{ readonly severity: Severity; readonly matcher: Matcher }> = items.map((item) => {
    const entries = file.entries(item, 'a mapping with ChangeTo and Conditions');
    for (const entry of entries) {
      if (!ITEM_KEYS.includes(entry.key)) {
        file.fail(
          { ...entry.keySite, path: item.path },
          `unknown key '${printable(entry.key)}' (expected ChangeTo and Conditions)${didYouMean(entry.key, ITEM_KEYS)}`,
        );
      }
    }
    const changeTo = entries.find((entry) => entry.key === 'ChangeTo');
    const conditions = entries.find((entry) => entry.key === 'Conditions');
    if (changeTo === undefined) return file.fail(item, `missing ChangeTo (one of ${SEVERITIES.join(', ')})`);
    if (conditions === undefined) return file.fail(item, 'missing Conditions (a list of match expressions)');
    const name = file.scalar(changeTo.value);
    const severity = parseSeverity(name);
    if (severity === undefined) {
      return file.fail(
        changeTo.value,
        `expected one of ${SEVERITIES.join(', ')} (any case), got ${file.describe(changeTo.value)}`,
      );
    }
    return { severity, matcher: compileMatchList(file, conditions.value, { inlineFilters: false }).matcher };
  });
  return (root, eventType) => {
    for (const { severity, matcher } of choices) if (matcher(root, eventType)) return severity;
    return SEVERITY_DEFAULT_KEYWORD;
  };
}
