import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { loadCatalogConfig } from '../../../config/catalog-config.ts';
import { StreamBounds } from '../../../detection/engine/stream-bounds.ts';
import { StreamEvaluator } from '../../../detection/engine/stream-evaluator.ts';
import type { RuleCatalog } from '../../../detection/engine/catalog.ts';
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

/** Where an item was read, as a message's opening (`file:3: [2]: `); empty when `source` is. */
function where(source: string, line: number | undefined, path: string): string {
  if (source === '') return path === '' ? '' : `${path}: `;
  const location = line === undefined ? source : `${source}:${line}`;
  return path === '' ? `${location}: ` : `${location}: ${path}: `;
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

/** What {@link evaluateEventStream} keeps at most, past which the oldest state is forgotten early. */
export interface EvaluationLimits {
  readonly maxWindows: number;
  readonly maxCorrelationRecords: number;
  readonly maxBaselineValues: number;
}

/**
 * Reads `--max-windows`, `--max-correlation-records` and `--max-baseline-entries` (each an integer
 * of at least 1000; the defaults when absent), or says which is wrong on stderr as `command: ...`
 * and returns `undefined`.
 *
 * @example
 * ```ts
 * const limits = evaluationLimits('hunt', { 'max-windows': '100000' }, io);
 * if (limits === undefined) return EXIT_USAGE;
 * ```
 */
export function evaluationLimits(
  command: string,
  options: Readonly<Record<string, string | boolean | undefined>>,
  io: CliIo,
): EvaluationLimits | undefined {
  const limits: Record<string, number> = {};
  for (const [name, fallback] of [
    ['max-windows', DEFAULT_MAX_WINDOWS],
    ['max-correlation-records', DEFAULT_MAX_CORRELATION_RECORDS],
    ['max-baseline-entries', DEFAULT_MAX_BASELINE_VALUES],
  ] as const) {
    const given = options[name];
    const value = typeof given === 'string' ? Number(given) : fallback;
    if (!Number.isSafeInteger(value) || value < 1000) {
      io.stderr(`${command}: --${name} must be an integer of at least 1000, got ${quote(String(given))}\n`);
      return undefined;
    }
    limits[name] = value;
  }
  return {
    maxWindows: limits['max-windows'] ?? DEFAULT_MAX_WINDOWS,
    maxCorrelationRecords: limits['max-correlation-records'] ?? DEFAULT_MAX_CORRELATION_RECORDS,
    maxBaselineValues: limits['max-baseline-entries'] ?? DEFAULT_MAX_BASELINE_VALUES,
  };
}

/**
 * One item of what {@link evaluateEventStream} reads: an audit event with where it was read (a
 * `source` of `''` names no place: rule errors then name only the event), or a problem of the
 * input, reported in its place (on stderr as `command: message`) and counted.
 */
export type EvaluationItem =
  | {
      readonly kind: 'event';
      readonly event: JsonObject;
      readonly source: string;
      readonly line: number | undefined;
      readonly path: string;
    }
  | { readonly kind: 'problem'; readonly message: string };

/** How {@link evaluateEventStream} runs. */
export interface EvaluationOptions {
  /** The command's name, which starts every line it writes to stderr. */
  readonly command: string;
  readonly catalog: RuleCatalog;
  readonly limits: EvaluationLimits;
  /** Print every single-event match instead, before windows and thresholds (`--every-match`). */
  readonly everyMatch?: boolean;
  /**
   * Print only the alerts of these rules, and report only their rule errors (every rule still
   * runs: a correlation needs its steps). Default: every rule.
   */
  readonly ruleIds?: ReadonlySet<string>;
}

/** What {@link evaluateEventStream} did. */
export interface EvaluationSummary {
  /** {@link EXIT_OK}, or {@link EXIT_FAILURE} when a problem or a rule error was reported. */
  readonly status: number;
  /** Events evaluated. */
  readonly events: number;
  /** Lines printed on stdout (alerts, or matches with `everyMatch`). */
  readonly printed: number;
  /** Problems and rule errors reported on stderr. */
  readonly problems: number;
}

/**
 * Every rule over a stream of audit events, in the order given, with the pipeline's semantics
 * (dedup windows in event time, thresholds, distinct counts, correlations; signals and suppressed
 * matches are not printed): one JSON line per alert on stdout ({@link printedLine}), problems and
 * rule errors on stderr in their place (alerts before them are written first), and at the end a
 * warning if state forgotten early to bound memory may have changed an outcome. What `evaluate`
 * runs over its inputs, and `hunt` over an archive. Items come in batches: an event with nothing
 * to report is handled without an await.
 *
 * @example
 * ```ts
 * const { status } = await evaluateEventStream(batchesOfItems, io, { command: 'hunt', catalog, limits });
 * ```
 */
export async function evaluateEventStream(
  batches: AsyncIterable<readonly EvaluationItem[]>,
  io: CliIo,
  options: EvaluationOptions,
): Promise<EvaluationSummary> {
  const { command, catalog, limits, ruleIds } = options;
  const everyMatch = options.everyMatch === true;
  // State is forgotten as the deployed tables' TTL forgets it, and past the limits (which bound
  // memory whatever the input) the oldest is forgotten early, saying so if that may matter.
  const bounds = new StreamBounds({
    windowTtlSeconds: REPLAY_HORIZON_SECONDS,
    maxWindows: limits.maxWindows,
    maxCorrelationRecords: limits.maxCorrelationRecords,
    maxBaselineValues: limits.maxBaselineValues,
  });
  const stream = new StreamEvaluator(catalog, OPENAI_AUDIT_LOG_TYPE, { memory: bounds });

  const output: string[] = [];
  let printed = 0;
  let events = 0;
  const flush = async (): Promise<void> => {
    if (output.length === 0) return;
    printed += output.length;
    io.stdout(output.join(''));
    output.length = 0;
    await io.drain?.();
  };
  let problems = 0;
  const report = async (message: string): Promise<void> => {
    await flush(); // keep alerts and problems in input order on a terminal
    problems++;
    io.stderr(`${command}: ${message}\n`);
  };

  const selected = (ruleId: string) => ruleIds === undefined || ruleIds.has(ruleId);
  // An event with nothing to report and no batch of output to write is handled without an await:
  // one per line would cost a trip through the microtask queue each.
  const evaluateEvent = (
    source: string,
    line: number | undefined,
    path: string,
    event: JsonObject,
  ): Promise<void> | undefined => {
    events++;
    const { errors, lines } = everyMatch ? matchLines(event) : alertLines(event);
    const reported = ruleIds === undefined ? errors : errors.filter((error) => selected(error.ruleId));
    if (reported.length === 0) {
      output.push(...lines);
      return output.length >= OUTPUT_BATCH ? flush() : undefined;
    }
    return (async () => {
      for (const error of reported) await report(`${where(source, line, path)}${describeRuleError(error)}`);
      output.push(...lines);
      if (output.length >= OUTPUT_BATCH) await flush();
    })();
  };
  const matchLines = (event: JsonObject) => {
    const { matches, errors } = catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event);
    const kept = ruleIds === undefined ? matches : matches.filter((match) => selected(match.rule.id));
    return { errors, lines: kept.map((match) => `${printedLine(match)}\n`) };
  };
  const alertLines = (event: JsonObject) => {
    const { alerts, errors } = stream.push(event);
    const kept = ruleIds === undefined ? alerts : alerts.filter((alert) => selected(alert.match.rule.id));
    return { errors, lines: kept.map((alert) => `${printedLine(alert.match, alert.eventCount)}\n`) };
  };

  for await (const items of batches) {
    for (const item of items) {
      const pending =
        item.kind === 'event' ? evaluateEvent(item.source, item.line, item.path, item.event) : report(item.message);
      if (pending !== undefined) await pending;
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
      `${command}: warning: ${mayDiffer} ${what} came later than the state kept ` +
        `(${windowsForgotten} dedup windows, ${correlationKeysForgotten} correlation keys and ${baselineActorsForgotten} baseline actors forgotten early to bound memory): ` +
        'they may alert again, miss a correlation or learn a value again; raise --max-windows, --max-correlation-records or --max-baseline-entries, or sort the input by time\n',
    );
  }
  return { status: problems === 0 ? EXIT_OK : EXIT_FAILURE, events, printed, problems };
}

/**
 * The items of one input, batch by batch, as {@link readJsonInputBatches} reads it: each event of
 * each value (a line, a document, an element of a large array), and in their place the lines that
 * are not JSON and the items that are not audit events.
 */
async function* inputItems(source: string, chunks: AsyncIterable<string>): AsyncGenerator<EvaluationItem[]> {
  for await (const inputs of readJsonInputBatches(chunks)) {
    const items: EvaluationItem[] = [];
    const problem = (line: number | undefined, path: string, reason: string) =>
      items.push({ kind: 'problem', message: `${where(source, line, path)}${reason}` });
    const addValue = (line: number | undefined, path: string, value: unknown) => {
      if (path !== '') {
        // One element of a large array, read on its own: an item, as the array's items are.
        const invalid = auditEventProblem(value);
        if (invalid === undefined) items.push({ kind: 'event', event: value as JsonObject, source, line, path });
        else problem(line, path, invalid);
        return;
      }
      const extracted = extractAuditEvents(value);
      for (const found of extracted.problems) problem(line, found.path, found.reason);
      for (const { path: eventPath, event } of extracted.events)
        items.push({ kind: 'event', event, source, line, path: eventPath });
    };
    for (const input of inputs) {
      if (input.kind === 'failure') {
        problem(input.line, '', `not valid JSON: ${input.reason}`);
      } else if (input.kind === 'value') {
        addValue(input.line, input.path, input.value);
      } else {
        let value: unknown;
        try {
          value = JSON.parse(input.text);
        } catch (error) {
          const failure = parseFailure(input.text, error, input.line);
          problem(failure.line, '', `not valid JSON: ${failure.reason}`);
          continue;
        }
        addValue(input.line, '', value);
      }
    }
    yield items;
  }
}

/**
 * The items of every input in order (see {@link inputItems}): standard input for `-`, a directory's
 * files in name order. An input that cannot be read, or that stops being readable, is a problem in
 * its place, and the next input is read.
 */
async function* evaluationInputs(inputs: readonly string[], io: CliIo): AsyncGenerator<EvaluationItem[]> {
  const unreadable = (source: string, error: unknown): EvaluationItem[] => [
    {
      kind: 'problem',
      message: `cannot read ${source}: ${error instanceof Error ? printable(error.message) : 'unreadable'}`,
    },
  ];
  for (const input of inputs) {
    if (input === '-') {
      try {
        yield* inputItems('<stdin>', io.stdinChunks?.() ?? stdinText(io));
      } catch (error) {
        yield unreadable('<stdin>', error);
      }
      continue;
    }
    let files: string[];
    try {
      files = (await stat(input)).isDirectory() ? await directoryFiles(input, INPUT_FILE) : [input];
    } catch (error) {
      yield unreadable(printable(input), error);
      continue;
    }
    if (files.length === 0)
      yield [{ kind: 'problem', message: `${printable(input)}: no .json, .jsonl or .ndjson files in this directory` }];
    for (const file of files) {
      try {
        yield* inputItems(printable(file), fileChunks(file));
      } catch (error) {
        yield unreadable(printable(file), error);
      }
    }
  }
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
  const limits = evaluationLimits('evaluate', options, io);
  if (limits === undefined) return EXIT_USAGE;
  const catalog = createRuleCatalog(loadCatalogConfig(io.env));
  const { status } = await evaluateEventStream(evaluationInputs(inputs, io), io, {
    command: 'evaluate',
    catalog,
    limits,
    everyMatch: options['every-match'] === true,
  });
  return status;
}

/** Standard input as one chunk, for a {@link CliIo} that cannot stream it. */
async function* stdinText(io: CliIo): AsyncGenerator<string> {
  yield await io.readStdin();
}
