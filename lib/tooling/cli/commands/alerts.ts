import type { ArchivedAlert } from '../../../archive/alert-line.ts';
import { describeArchiveLocation } from '../../../archive/location.ts';
import { openArchiveStore } from '../../../archive/open-store.ts';
import { describeArchiveProblem } from '../../../archive/problem.ts';
import { readArchivedAlerts } from '../../../archive/read-alerts.ts';
import { parseSeverity, SEVERITIES, type Severity } from '../../../detection/engine/severity.ts';
import { describeError } from '../../../shared/describe-error.ts';
import { outputJson } from '../../../shared/output-json.ts';
import { printable, quote } from '../../../shared/printable.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { archiveOptions, type OptionValues } from '../archive-options.ts';
import type { CliIo } from '../io.ts';

/** Lines written to stdout at once. */
const OUTPUT_BATCH = 256;

/** Longest title printed on a line (the rest is cut with an ellipsis). */
const TITLE_LIMIT = 300;

/**
 * The text line of one archived alert: its creation time, severity, rule id and title, each
 * external string through `printable` (anything shaped like an API key masked, controls escaped),
 * columns aligned.
 *
 * @example
 * ```ts
 * alertText(alert); // '2024-11-24T06:36:21.000Z  HIGH      OpenAI.API.Key.Anomalous.Activity  OpenAI API Key with Elevated Scopes: ...'
 * ```
 */
export function alertText(alert: ArchivedAlert): string {
  return [
    printable(alert.createdAt, 40),
    printable(alert.severity, 8).padEnd(8),
    printable(alert.ruleId),
    printable(alert.title, TITLE_LIMIT),
  ].join('  ');
}

/**
 * `alerts --archive s3://BUCKET[/PREFIX] | DIR --from ISO --to ISO [--severity S] [--rule ID]
 * [--json]`: the archived alerts created in `[from, to)`, in creation order, each alert once
 * ({@link readArchivedAlerts}): one line each ({@link alertText}), or with `--json` each alert
 * document as one JSON line (secrets masked, controls escaped). Archive lines that cannot be read
 * are reported on stderr with key and line; a last line on stderr sums up. Exit status 0, 1 when
 * something could not be read, 2 for a usage error.
 *
 * @example
 * ```ts
 * const status = await alertsCommand({ archive: './archive', from: '2024-11-24', to: '2024-11-25', severity: 'HIGH' }, io);
 * ```
 */
export async function alertsCommand(values: OptionValues, io: CliIo): Promise<number> {
  const usage = (message: string): number => {
    io.stderr(`alerts: ${message}; see --help\n`);
    return EXIT_USAGE;
  };
  const options = archiveOptions(values);
  if ('problem' in options) return usage(options.problem);
  const { location, from, to } = options;
  let severity: Severity | undefined;
  if (typeof values.severity === 'string') {
    severity = parseSeverity(values.severity);
    if (severity === undefined)
      return usage(`--severity must be one of ${SEVERITIES.join(', ')}, got ${quote(values.severity)}`);
  }
  const ruleId = typeof values.rule === 'string' ? values.rule : undefined;
  if (ruleId?.trim() === '') return usage('--rule needs a rule id');
  const opened = await openArchiveStore(location, io.env);
  if ('problem' in opened) return usage(`--archive: ${opened.problem}`);

  const json = values.json === true;
  const output: string[] = [];
  const flush = async (): Promise<void> => {
    if (output.length === 0) return;
    io.stdout(output.join(''));
    output.length = 0;
    await io.drain?.();
  };
  const problems: string[] = [];
  const reading = readArchivedAlerts(opened.store, {
    from,
    to,
    ...(severity === undefined ? {} : { severity }),
    ...(ruleId === undefined ? {} : { ruleId }),
    onProblem: (problem) => problems.push(describeArchiveProblem(problem)),
  });
  let reported = 0;
  const report = async (): Promise<void> => {
    if (problems.length === 0) return;
    await flush(); // alerts and problems in the order they were read
    for (const problem of problems.splice(0)) {
      reported++;
      io.stderr(`alerts: ${problem}\n`);
    }
  };
  let printed = 0;
  try {
    for await (const alert of reading) {
      await report();
      output.push(`${json ? outputJson(alert) : alertText(alert)}\n`);
      printed++;
      if (output.length >= OUTPUT_BATCH) await flush();
    }
    await report();
  } catch (error) {
    await report();
    reported++;
    io.stderr(
      `alerts: cannot read the archive ${printable(describeArchiveLocation(location))}: ${printable(describeError(error), 500)}\n`,
    );
  }
  await flush();
  const { stats } = reading;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  io.stderr(
    `alerts: ${plural(printed, 'alert')} from ${from.toISOString()} to ${to.toISOString()} ` +
      `(${plural(stats.objects, 'object')}, ${plural(stats.duplicates, 'duplicate')} dropped), ${plural(reported, 'problem')}\n`,
  );
  return reported === 0 ? EXIT_OK : EXIT_FAILURE;
}
