import type { Site, YamlFile } from '../panther/yaml-file.ts';

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Reads a correlation's `timespan` (sigma-correlation-rules-specification.md, "Time Selection": a
 * number and a lower-case unit, `s`, `m`, `h` or `d`, e.g. `90m`) as whole minutes, from 1 to
 * `maxMinutes`: the engine's windows and lookbacks are in minutes.
 *
 * @example
 * ```ts
 * readTimespan(file, site, 1440); // 90 for '90m', 60 for '3600s'; '30s' and '2d' are errors
 * ```
 */
export function readTimespan(file: YamlFile, site: Site, maxMinutes: number): number {
  const value = file.scalar(site);
  const match = typeof value === 'string' ? /^(\d{1,9})([smhd])$/.exec(value) : null;
  if (match === null) {
    return file.fail(site, `expected a number and a unit (s, m, h or d), e.g. 10m, got ${file.describe(site)}`);
  }
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number);
  if (seconds === 0 || seconds % 60 !== 0) {
    return file.fail(site, 'the engine counts in whole minutes: write a timespan of 1m or more, in whole minutes');
  }
  const minutes = seconds / 60;
  if (minutes > maxMinutes) return file.fail(site, `at most ${maxMinutes} minutes here`);
  return minutes;
}
