import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { loadCatalogConfig } from '../../../config/catalog-config.ts';
import { StreamBounds } from '../../../detection/engine/stream-bounds.ts';
import { StreamEvaluator } from '../../../detection/engine/stream-evaluator.ts';
import type { RuleError, RuleMatch } from '../../../detection/engine/result.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../../detection/openai/constants.ts';
import { auditEventProblem, extractAuditEvents } from '../../../detection/openai/extract-events.ts';
import { createRuleCatalog } from '../../../detection/rules/create-rule-catalog.ts';
import { REPLAY_HORIZON_SECONDS } from '../../../pipeline/dedup/constants.ts';
import type { JsonObject } from '../../../shared/json.ts';
import { parseFailure } from '../../../shared/json-input.ts';
import { readJsonInputBatches } from '../../../shared/json-input-stream.ts';
import { outputJson } from '../../../shared/output-json.ts';
import { printable, quote } from '../../../shared/printable.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { directoryFiles } from '../directory-files.ts';

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
 * field (an event id or actor id can hold a pasted key, and the dedup key is built from them) and
 * terminal controls escaped ({@link outputJson}).
 *
 * @example
 * ```ts
 * io.stdout(`${printedLine(match)}\n`);
 * ```
 */
export function printedLine(match: RuleMatch, eventCount = 1): string {
  return outputJson(alertLine(match, eventCount));
}

function where(source: string, line: number | undefined, path: string): string {
  const location = line === undefined ? source : `${source}:${line}`;
  return path === '' ? location : `${location}: ${path}`;
}

function describeRuleError(error: RuleError): string {
  const event = error.eventId === undefined ? 'an event' : `event ${printable(error.eventId)}`;
  return `rule ${error.ruleId} failed in ${error.function}() on ${event}: ${printable(error.message)}`;
}

/** Files a directory contributes: JSON and JSON Lines, by name. */
const INPUT_FILE = /\.(?:json|jsonl|ndjson)$/i;

/**
 * Dedup windows kept before the oldest are forgotten early: about 15 MB (about 300 bytes each with
 * their event ids). The shared corpus opens about 21,000 a day (every rule of the pack), so on
 * input in time order the windows of more than two days stay.
 */
export const DEFAULT_MAX_WINDOWS = 50_000;

/**
 * Correlation records kept before the keys idle longest are forgotten early: about 35 MB (about
 * 140 bytes each with their ids and details). A key keeps at most 200 records per step; the shared
 * corpus's 500 accounts need about 190,000.
 */
export const DEFAULT_MAX_CORRELATION_RECORDS = 250_000;

/**
 * Baseline values kept before the actors seen least recently are forgotten early: about 15 MB (about
 * 150 bytes each). An actor of the shared corpus shows one country; a few values each is typical.
 */
export const DEFAULT_MAX_BASELINE_VALUES = 100_000;

/** Alert lines written to standard output at once. */
const OUTPUT_BATCH = 256;

/**
 * A file's text, chunk by chunk. 64 KiB chunks: with 1 MiB ones the process held about 100 MB more
 * at its peak (file buffers waiting for a collection) for no less CPU time.
 */
function fileChunks(path: string): AsyncIterable<string> {
  return createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 }) as AsyncIterable<string>;
}

/**
 * `evaluate [FILE|DIR|-]...`: every rule over every event of the inputs, in order, with the
 * pipeline's semantics (dedup windows in event time, thresholds, distinct counts, correlations;
 * signals and suppressed matches are not printed), windows and correlations running across all the
 * inputs; alerts on stdout as JSON Lines, problems on stderr with their file and line number. A
 * directory stands for its .json, .jsonl and .ndjson files, at every level, in name order; `-`
 * (the default) for standard input. Inputs are streamed: memory holds a bounded part of each (see
 * `readJsonInputBatches`).
 * With `--every-match`, every single-event match is printed instead, before windows and
 * thresholds. Returns the exit status.
 *
 * @example
 * ```ts
 * const status = await evaluateCommand(['events.jsonl', 'more/'], io);
 * ```
 */
export async function evaluateCommand(
  args: readonly string[],
  io: CliIo,
  options: Record<string, string | boolean | undefined> = {},
): Promise<number> {
  const inputs = args.length === 0 ? ['-'] : args;
  if (inputs.filter((input) => input === '-').length > 1) {
    io.stderr('evaluate: standard input ("-") can be read once; see --help\n');
    return EXIT_USAGE;
  }
  if (inputs.includes('-') && io.stdinIsTty) {
    io.stderr('evaluate: no input: pass a FILE, or pipe events on standard input; see --help\n');
    return EXIT_USAGE;
  }
  const limits: Record<string, number> = {};
  for (const [name, fallback] of [
    ['max-windows', DEFAULT_MAX_WINDOWS],
    ['max-correlation-records', DEFAULT_MAX_CORRELATION_RECORDS],
    ['max-baseline-entries', DEFAULT_MAX_BASELINE_VALUES],
  ] as const) {
    const given = options[name];
    const value = typeof given === 'string' ? Number(given) : fallback;
    if (!Number.isSafeInteger(value) || value < 1000) {
      io.stderr(`evaluate: --${name} must be an integer of at least 1000, got ${quote(String(given))}\n`);
      return EXIT_USAGE;
    }
    limits[name] = value;
  }
  const catalog = createRuleCatalog(loadCatalogConfig(io.env));
  const everyMatch = options['every-match'] === true;
  // State is forgotten as the deployed tables' TTL forgets it, and past the limits (which bound
  // memory whatever the input) the oldest is forgotten early, saying so if that may matter.
  const bounds = new StreamBounds({
    windowTtlSeconds: REPLAY_HORIZON_SECONDS,
    maxWindows: limits['max-windows'],
    maxCorrelationRecords: limits['max-correlation-records'],
    maxBaselineValues: limits['max-baseline-entries'],
  });
  const stream = new StreamEvaluator(catalog, OPENAI_AUDIT_LOG_TYPE, { memory: bounds });

  const output: string[] = [];
  const flush = async (): Promise<void> => {
    if (output.length === 0) return;
    io.stdout(output.join(''));
    output.length = 0;
    await io.drain?.();
  };
  let problems = 0;
  const report = async (message: string): Promise<void> => {
    await flush(); // keep alerts and problems in input order on a terminal
    problems++;
    io.stderr(`evaluate: ${message}\n`);
  };

  // An event with nothing to report and no batch of output to write is handled without an await:
  // one per line would cost a trip through the microtask queue each.
  const evaluateEvent = (
    source: string,
    line: number | undefined,
    path: string,
    event: JsonObject,
  ): Promise<void> | undefined => {
    const { errors, lines } = everyMatch ? matchLines(event) : alertLines(event);
    if (errors.length === 0) {
      output.push(...lines);
      return output.length >= OUTPUT_BATCH ? flush() : undefined;
    }
    return (async () => {
      for (const error of errors) await report(`${where(source, line, path)}: ${describeRuleError(error)}`);
      output.push(...lines);
      if (output.length >= OUTPUT_BATCH) await flush();
    })();
  };
  const matchLines = (event: JsonObject) => {
    const { matches, errors } = catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event);
    return { errors, lines: matches.map((match) => `${printedLine(match)}\n`) };
  };
  const alertLines = (event: JsonObject) => {
    const { alerts, errors } = stream.push(event);
    return { errors, lines: alerts.map((alert) => `${printedLine(alert.match, alert.eventCount)}\n`) };
  };

  const evaluateValue = (
    source: string,
    line: number | undefined,
    path: string,
    value: unknown,
  ): Promise<void> | undefined => {
    if (path !== '') {
      // One element of a large array, read on its own: an item, as the array's items are.
      const problem = auditEventProblem(value);
      if (problem === undefined) return evaluateEvent(source, line, path, value as JsonObject);
      return report(`${where(source, line, path)}: ${problem}`);
    }
    const extracted = extractAuditEvents(value);
    const [only] = extracted.events;
    if (extracted.problems.length === 0 && extracted.events.length === 1 && only !== undefined)
      return evaluateEvent(source, line, only.path, only.event);
    return (async () => {
      for (const problem of extracted.problems) await report(`${where(source, line, problem.path)}: ${problem.reason}`);
      for (const { path: eventPath, event } of extracted.events) await evaluateEvent(source, line, eventPath, event);
    })();
  };

  const evaluateInput = async (source: string, chunks: AsyncIterable<string>): Promise<void> => {
    for await (const items of readJsonInputBatches(chunks)) {
      for (const item of items) {
        let pending: Promise<void> | undefined;
        if (item.kind === 'failure') {
          pending = report(`${where(source, item.line, '')}: not valid JSON: ${item.reason}`);
        } else if (item.kind === 'value') {
          pending = evaluateValue(source, item.line, item.path, item.value);
        } else {
          let value: unknown;
          try {
            value = JSON.parse(item.text);
          } catch (error) {
            const failure = parseFailure(item.text, error, item.line);
            pending = report(`${where(source, failure.line, '')}: not valid JSON: ${failure.reason}`);
          }
          pending ??= evaluateValue(source, item.line, '', value);
        }
        if (pending !== undefined) await pending;
      }
    }
  };

  const unreadable = (source: string, error: unknown) =>
    report(`cannot read ${source}: ${error instanceof Error ? printable(error.message) : 'unreadable'}`);
  for (const input of inputs) {
    if (input === '-') {
      try {
        await evaluateInput('<stdin>', io.stdinChunks?.() ?? stdinText(io));
      } catch (error) {
        await unreadable('<stdin>', error);
      }
      continue;
    }
    let files: string[];
    try {
      files = (await stat(input)).isDirectory() ? await directoryFiles(input, INPUT_FILE) : [input];
    } catch (error) {
      await unreadable(printable(input), error);
      continue;
    }
    if (files.length === 0) await report(`${printable(input)}: no .json, .jsonl or .ndjson files in this directory`);
    for (const file of files) {
      try {
        await evaluateInput(printable(file), fileChunks(file));
      } catch (error) {
        await unreadable(printable(file), error);
      }
    }
  }
  await flush();
  const { mayDiffer, windowsForgotten, correlationKeysForgotten, baselineActorsForgotten } = bounds.stats;
  if (mayDiffer > 0) {
    // Not a failure of the input: a warning that these outcomes may not be the pipeline's.
    const what =
      mayDiffer === 1
        ? 'match, correlation step or baseline sighting'
        : 'matches, correlation steps or baseline sightings';
    io.stderr(
      `evaluate: warning: ${mayDiffer} ${what} came later than the state kept ` +
        `(${windowsForgotten} dedup windows, ${correlationKeysForgotten} correlation keys and ${baselineActorsForgotten} baseline actors forgotten early to bound memory): ` +
        'they may alert again, miss a correlation or learn a value again; raise --max-windows, --max-correlation-records or --max-baseline-entries, or sort the input by time\n',
    );
  }
  return problems === 0 ? EXIT_OK : EXIT_FAILURE;
}

/** Standard input as one chunk, for a {@link CliIo} that cannot stream it. */
async function* stdinText(io: CliIo): AsyncGenerator<string> {
  yield await io.readStdin();
}
