import { printable } from '../../shared/printable.ts';
import type { IgnoredKey } from '../panther/compile.ts';
import { didYouMean } from '../panther/suggest.ts';
import type { Site, YamlFile } from '../panther/yaml-file.ts';

/** What a rule for this project's events declares (`product` and `service` values are lower case, per the specification). */
const EXPECTED: Readonly<Record<'product' | 'service', string>> = { product: 'openai', service: 'audit' };

const WHAT = 'rules here run on OpenAI organization audit logs: write `logsource: { product: openai, service: audit }`';

/**
 * Checks a rule's `logsource`: `product: openai` and `service: audit` (OpenAI's organization audit
 * logs, the only events this project reads), nothing else that selects events (`category`, custom
 * keys), and `definition` (a note for readers) reported as ignored. Anything else is refused with
 * what to write instead.
 *
 * @example
 * ```ts
 * const ignored = checkLogSource(file, logsourceSite); // [] or [{ key: 'logsource.definition', ... }]
 * ```
 */
export function checkLogSource(file: YamlFile, site: Site): IgnoredKey[] {
  const entries = file.entries(site, `a mapping (${WHAT})`);
  const ignored: IgnoredKey[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.key === 'product' || entry.key === 'service') {
      seen.add(entry.key);
      const value = file.scalar(entry.value);
      if (value !== EXPECTED[entry.key])
        file.fail(entry.value, `expected ${EXPECTED[entry.key]}, got ${file.describe(entry.value)}: ${WHAT}`);
    } else if (entry.key === 'definition') {
      ignored.push({
        key: 'logsource.definition',
        line: entry.keySite.line,
        reason: 'a description of the log source for readers',
      });
    } else if (entry.key === 'category') {
      file.fail(entry.keySite, `OpenAI audit logs have no category: ${WHAT}`);
    } else {
      file.fail(
        entry.keySite,
        `unknown logsource key '${printable(entry.key)}'${didYouMean(entry.key, ['product', 'service', 'category', 'definition'])}: ${WHAT}`,
      );
    }
  }
  for (const key of ['product', 'service'] as const) {
    if (!seen.has(key)) file.fail({ ...site, path: `${site.path}.${key}` }, `missing: ${WHAT}`);
  }
  return ignored;
}
