import { effectiveAtSeconds } from '../../../archive/event-line.ts';
import { describeArchiveLocation } from '../../../archive/location.ts';
import { openArchiveStore } from '../../../archive/open-store.ts';
import { describeArchiveProblem, type ArchiveProblem } from '../../../archive/problem.ts';
import { readArchivedEvents } from '../../../archive/read-events.ts';
import { segmentProblem } from '../../../archive/segment.ts';
import { loadCatalogConfig } from '../../../config/catalog-config.ts';
import type { RuleCatalog } from '../../../detection/engine/catalog.ts';
import { createRuleCatalog } from '../../../detection/rules/create-rule-catalog.ts';
import { describeError } from '../../../shared/describe-error.ts';
import { printable, quote } from '../../../shared/printable.ts';
import { EXIT_USAGE } from '../exit-codes.ts';
import { archiveOptions, type OptionValues } from '../archive-options.ts';
import type { CliIo } from '../io.ts';
import { evaluateEventStream, evaluationLimits, type EvaluationItem } from './evaluate.ts';

/** Events handed to the evaluation at once. */
const BATCH = 256;

/**
 * Progress lines are at least this far apart (milliseconds of wall time).
 *
 * @example
 * ```ts
 * if (now - lastShown >= PROGRESS_INTERVAL_MS) showProgress();
 * ```
 */
export const PROGRESS_INTERVAL_MS = 1000;

const DURATION_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/**
 * A span of time for people: the two largest units (`3d 4h`, `16h 58m`, `12m 5s`, `5s`).
 *
 * @example
 * ```ts
 * formatDuration(61_080_000); // '16h 58m'
 * ```
 */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of DURATION_UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
    else if (parts.length > 0) break; // '3d', not '3d 0h'
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? '0s' : parts.join(' ');
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * The rules whose alerts and rule errors `--rule ID` shows: the rule, and for a correlation the
 * rules of its steps (their errors change its outcome). Every rule still runs. A problem (exit 2)
 * for an id the catalog does not have, a signal (it never alerts) or a rule turned off.
 */
function selectedRules(catalog: RuleCatalog, id: string): { ruleIds: Set<string> } | { problem: string } {
  const rule = catalog.getRule(id);
  if (rule === undefined)
    return { problem: `--rule: no rule ${quote(id)} in the catalog (the built-in rules and those of --rules DIR)` };
  if (rule.kind === 'signal')
    return {
      problem: `--rule: ${quote(id)} is a signal: it feeds correlations and never alerts; name a rule that alerts`,
    };
  if (!rule.enabled) return { problem: `--rule: ${quote(id)} is turned off by the rules configuration` };
  const steps = rule.kind === 'correlation' ? catalog.correlation(id).steps.map((step) => step.ruleId) : [];
  return { ruleIds: new Set([id, ...steps]) };
}

/**
 * `hunt --archive s3://BUCKET[/PREFIX] | DIR --from ISO --to ISO [--org ID] [--rule ID]`: the rules
 * of the catalog (with `--rules DIR`, yours too; with `--rule ID`, only that rule's alerts) over
 * the archived events of `[from, to)`, in event time, each event once ({@link readArchivedEvents}),
 * with `evaluate`'s semantics and output: the same alert lines on stdout ({@link evaluateEventStream}).
 * On stderr: archive lines that cannot be read (key and line) and rule errors in their place;
 * progress (events read, the event time reached and what is left of the range) at most once a
 * second when stderr is a terminal or with `--progress`; and always a last summary line. Exit
 * status as `evaluate`'s: 1 when anything was reported, 2 for a usage or configuration error.
 *
 * @example
 * ```ts
 * const status = await huntCommand({ archive: 's3://audit-archive', from: '2024-11-24', to: '2024-11-25' }, io);
 * ```
 */
export async function huntCommand(values: OptionValues, io: CliIo, clock: () => number = Date.now): Promise<number> {
  const usage = (message: string): number => {
    io.stderr(`hunt: ${message}; see --help\n`);
    return EXIT_USAGE;
  };
  const options = archiveOptions(values);
  if ('problem' in options) return usage(options.problem);
  const { location, from, to } = options;
  const org = typeof values.org === 'string' ? values.org : undefined;
  const orgProblem = org === undefined ? undefined : segmentProblem(org);
  if (orgProblem !== undefined) return usage(`--org: the organization id ${orgProblem}, got ${quote(org ?? '')}`);
  const limits = evaluationLimits('hunt', values, io);
  if (limits === undefined) return EXIT_USAGE;
  const catalog = createRuleCatalog(loadCatalogConfig(io.env));
  let ruleIds: Set<string> | undefined;
  if (typeof values.rule === 'string') {
    const selected = selectedRules(catalog, values.rule);
    if ('problem' in selected) return usage(selected.problem);
    ruleIds = selected.ruleIds;
  }
  const opened = await openArchiveStore(location, io.env);
  if ('problem' in opened) return usage(`--archive: ${opened.problem}`);

  const problems: ArchiveProblem[] = [];
  const reading = readArchivedEvents(opened.store, {
    from,
    to,
    ...(org === undefined ? {} : { org }),
    onProblem: (problem) => problems.push(problem),
  });
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const showProgress = values.progress === true || io.stderrIsTty;
  let lastShown = Number.NEGATIVE_INFINITY;
  let position = fromMs;
  const progress = (count: number): void => {
    const now = clock();
    if (now - lastShown < PROGRESS_INTERVAL_MS) return;
    lastShown = now;
    const done = Math.floor(((position - fromMs) / (toMs - fromMs)) * 100);
    io.stderr(
      `hunt: ${plural(count, 'event')} read, at ${new Date(position).toISOString()} ` +
        `(${done}% of the range, ${formatDuration(toMs - position)} of event time left before --to)\n`,
    );
  };
  const problemItems = (): EvaluationItem[] =>
    problems.splice(0).map((problem) => ({ kind: 'problem', message: describeArchiveProblem(problem) }));

  async function* items(): AsyncGenerator<EvaluationItem[]> {
    let batch: EvaluationItem[] = [];
    let count = 0;
    try {
      for await (const event of reading) {
        if (problems.length > 0) batch.push(...problemItems());
        batch.push({ kind: 'event', event, source: '', line: undefined, path: '' });
        count++;
        const seconds = effectiveAtSeconds(event);
        if (seconds !== undefined) position = Math.max(position, Math.min(seconds * 1000, toMs));
        if (showProgress) progress(count);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      batch.push(...problemItems());
    } catch (error) {
      batch.push(...problemItems(), {
        kind: 'problem',
        message: `cannot read the archive ${printable(describeArchiveLocation(location))}: ${printable(describeError(error), 500)}`,
      });
    }
    if (batch.length > 0) yield batch;
  }

  const summary = await evaluateEventStream(items(), io, {
    command: 'hunt',
    catalog,
    limits,
    ...(ruleIds === undefined ? {} : { ruleIds }),
  });
  const { stats } = reading;
  io.stderr(
    `hunt: ${plural(stats.yielded, 'event')} from ${from.toISOString()} to ${to.toISOString()} ` +
      `(${plural(stats.objects, 'object')}, ${plural(stats.days, 'day')}, ${plural(stats.duplicates, 'duplicate')} dropped): ` +
      `${plural(summary.printed, 'alert')}, ${plural(summary.problems, 'problem')}\n`,
  );
  return summary.status;
}
