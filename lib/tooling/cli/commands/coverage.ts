import { loadCatalogConfig } from '../../../config/catalog-config.ts';
import type { RuleCatalog } from '../../../detection/engine/catalog.ts';
import { COVERAGE_REASONS } from '../../../detection/openai/coverage-reasons.ts';
import { coverageOf, type CoverageRow } from '../../../detection/openai/coverage.ts';
import { OPENAI_AUDIT_EVENT_TYPES } from '../../../detection/openai/event-types.ts';
import { createRuleCatalog } from '../../../detection/rules/create-rule-catalog.ts';
import { outputJson } from '../../../shared/output-json.ts';
import { EXIT_OK } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

/**
 * The last line of the text form: how many types are watched, by how many distinct rules.
 *
 * @example
 * ```ts
 * coverageSummary([{ type: 'scim.enabled', rules: ['A', 'B'] }, { type: 'scim.disabled', rules: ['A'] }]);
 * // '2 of 2 event types watched by 2 rules'
 * ```
 */
export function coverageSummary(rows: readonly CoverageRow[]): string {
  const watched = rows.filter((row) => row.rules.length > 0).length;
  const rules = new Set(rows.flatMap((row) => row.rules)).size;
  return `${watched} of ${rows.length} event types watched by ${rules} rule${rules === 1 ? '' : 's'}`;
}

/** One line per type, its name padded to a column: the rules (signals and correlations marked) or why none. */
function textOf(rows: readonly CoverageRow[], catalog: RuleCatalog): string {
  const width = Math.max(...rows.map((row) => row.type.length)) + 2;
  const label = (id: string) => {
    const kind = catalog.getRule(id)?.kind;
    return kind === 'signal' || kind === 'correlation' || kind === 'baseline' ? `${id} (${kind})` : id;
  };
  const lines = rows.map((row) => {
    const what = row.rules.length > 0 ? row.rules.map(label).join(', ') : `not watched: ${row.reason ?? ''}`;
    return `${row.type.padEnd(width)}${what}\n`;
  });
  return `${lines.join('')}\n${coverageSummary(rows)}\n`;
}

/**
 * `coverage [--json]`: every event type of OpenAI's audit-log schema, in its order, with the rules
 * (and signals, and correlations) that watch it in the catalog in force, or why none does.
 *
 * @example
 * ```ts
 * coverageCommand({}, io);             // "api_key.created  OpenAI.API.Key.Anomalous.Activity, ..." ... "57 of 145 event types watched by 14 rules"
 * coverageCommand({ json: true }, io); // {"types":[{"type":"api_key.created","rules":[...]}, ...]}
 * ```
 */
export function coverageCommand(values: Readonly<Record<string, string | boolean | undefined>>, io: CliIo): number {
  const catalog = createRuleCatalog(loadCatalogConfig(io.env));
  const rows = coverageOf(catalog, OPENAI_AUDIT_EVENT_TYPES, COVERAGE_REASONS);
  io.stdout(values.json === true ? `${outputJson({ types: rows })}\n` : textOf(rows, catalog));
  return EXIT_OK;
}
