import { loadCatalogConfig } from '../../../config/rules-config-file.ts';
import { StreamEvaluator } from '../../../detection/engine/stream-evaluator.ts';
import type { RuleError, RuleMatch } from '../../../detection/engine/result.ts';
import { parseJsonInput } from '../../../util/json-input.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../../detection/openai/constants.ts';
import { extractAuditEvents } from '../../../detection/openai/extract-events.ts';
import { createRuleCatalog } from '../../../detection/rules/index.ts';
import { maskSecrets } from '../../../util/mask-secrets.ts';
import { printable } from '../../../util/printable.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

/**
 * The line printed for one alert. Field order is part of the output format. `eventCount` is the
 * number of matches (or distinct values) in the window when the alert was created: 1 for
 * single-event rules, the threshold for threshold rules.
 *
 * @example
 * ```ts
 * JSON.stringify(alertLine(match, 1));
 * ```
 */
export function alertLine(match: RuleMatch, eventCount = 1): Record<string, unknown> {
  return {
    ruleId: match.rule.id,
    ruleName: match.rule.displayName,
    eventId: match.eventId ?? null,
    eventType: match.eventType ?? null,
    severity: match.severity,
    title: match.title,
    dedupKey: match.dedup,
    alertContext: match.alertContext,
    eventCount,
  };
}

/**
 * The JSON text printed for one match, with anything shaped like an OpenAI API key masked in every
 * field (an event id or actor id can hold a pasted key, and the dedup key is built from them).
 * Masking the serialised text is safe: a key is letters, digits, `-` and `_`, never JSON syntax.
 *
 * @example
 * ```ts
 * io.stdout(`${printedLine(match)}\n`);
 * ```
 */
export function printedLine(match: RuleMatch, eventCount = 1): string {
  return maskSecrets(JSON.stringify(alertLine(match, eventCount)));
}

function where(source: string, line: number | undefined, path: string): string {
  const location = line === undefined ? source : `${source}:${line}`;
  return path === '' ? location : `${location}: ${path}`;
}

function describeRuleError(error: RuleError): string {
  const event = error.eventId === undefined ? 'an event' : `event ${printable(error.eventId)}`;
  return `rule ${error.ruleId} failed in ${error.function}() on ${event}: ${printable(error.message)}`;
}

/**
 * `evaluate [FILE|-]`: every rule over every event of the input, in order, with the pipeline's
 * semantics (dedup windows in event time, thresholds, distinct counts, correlations; signals and
 * suppressed matches are not printed); alerts on stdout as JSON Lines, problems on stderr with their
 * line number. With `--every-match`, every single-event match is printed instead, before windows
 * and thresholds. Returns the exit status.
 *
 * @example
 * ```ts
 * const status = await evaluateCommand(['events.jsonl'], io);
 * ```
 */
export async function evaluateCommand(args: readonly string[], io: CliIo, options: Record<string, string | boolean | undefined> = {}): Promise<number> {
  if (args.length > 1) {
    io.stderr('evaluate: takes at most one FILE (use "-" for standard input); see --help\n');
    return EXIT_USAGE;
  }
  const file = args[0] ?? '-';
  if (file === '-' && io.stdinIsTty) {
    io.stderr('evaluate: no input: pass a FILE, or pipe events on standard input; see --help\n');
    return EXIT_USAGE;
  }
  const catalog = createRuleCatalog(loadCatalogConfig(io.env));
  const everyMatch = options['every-match'] === true;
  const stream = new StreamEvaluator(catalog, OPENAI_AUDIT_LOG_TYPE);
  const source = file === '-' ? '<stdin>' : printable(file);
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : await io.readFile(file);
  } catch (error) {
    io.stderr(`evaluate: cannot read ${source}: ${error instanceof Error ? printable(error.message) : 'unreadable'}\n`);
    return EXIT_FAILURE;
  }

  let problems = 0;
  const report = (message: string): void => {
    problems++;
    io.stderr(`evaluate: ${message}\n`);
  };
  const { values, failures } = parseJsonInput(text);
  for (const failure of failures) report(`${where(source, failure.line, '')}: not valid JSON: ${failure.reason}`);
  for (const { line, value } of values) {
    const extracted = extractAuditEvents(value);
    for (const problem of extracted.problems) report(`${where(source, line, problem.path)}: ${problem.reason}`);
    for (const { path, event } of extracted.events) {
      if (everyMatch) {
        const { matches, errors } = catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event);
        for (const error of errors) report(`${where(source, line, path)}: ${describeRuleError(error)}`);
        for (const match of matches) io.stdout(`${printedLine(match)}\n`);
        continue;
      }
      const step = stream.push(event);
      for (const error of step.errors) report(`${where(source, line, path)}: ${describeRuleError(error)}`);
      for (const alert of step.alerts) io.stdout(`${printedLine(alert.match, alert.eventCount)}\n`);
    }
  }
  return problems === 0 ? EXIT_OK : EXIT_FAILURE;
}
