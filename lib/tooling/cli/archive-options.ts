import { parseArchiveLocation, type ArchiveLocation } from '../../archive/location.ts';
import { parseTimeRange, type TimeRange } from '../../archive/time-range.ts';

/** The options of a command that reads the archive, as `parseArgs` gives them. */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** Where the archive is and which period to read: `--archive`, `--from` and `--to`. */
export interface ArchiveOptions extends TimeRange {
  readonly location: ArchiveLocation;
}

/**
 * Reads `--archive` (`s3://BUCKET[/PREFIX]` or a directory), `--from` and `--to`, the options
 * `hunt` and `alerts` share, or says which is wrong.
 *
 * @example
 * ```ts
 * const options = archiveOptions({ archive: 'arch', from: '2024-11-01', to: '2024-12-01' });
 * if ('problem' in options) return usage(options.problem);
 * ```
 */
export function archiveOptions(values: OptionValues): ArchiveOptions | { readonly problem: string } {
  const archive = values.archive;
  if (typeof archive !== 'string') return { problem: '--archive is required: s3://BUCKET[/PREFIX] or a directory' };
  const parsedLocation = parseArchiveLocation(archive);
  if ('problem' in parsedLocation) return { problem: `--archive: ${parsedLocation.problem}` };
  const parsedRange = parseTimeRange(
    typeof values.from === 'string' ? values.from : undefined,
    typeof values.to === 'string' ? values.to : undefined,
  );
  if ('problem' in parsedRange) return { problem: parsedRange.problem };
  return { location: parsedLocation.location, ...parsedRange.range };
}
