/** Alert severities, lowest first (Panther's set). */
export const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** One of {@link SEVERITIES}. */
export type Severity = (typeof SEVERITIES)[number];

/**
 * Reads a severity name case-insensitively; `undefined` when it is not one.
 *
 * @example
 * ```ts
 * parseSeverity('high');  // 'HIGH'
 * parseSeverity('SEVERE'); // undefined
 * ```
 */
export function parseSeverity(value: unknown): Severity | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return (SEVERITIES as readonly string[]).includes(upper) ? (upper as Severity) : undefined;
}

/**
 * Position of a severity in {@link SEVERITIES}: higher is more severe.
 *
 * @example
 * ```ts
 * severityRank('HIGH') > severityRank('MEDIUM'); // true
 * ```
 */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/**
 * The more severe of two severities.
 *
 * @example
 * ```ts
 * maxSeverity('MEDIUM', 'HIGH'); // 'HIGH'
 * ```
 */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}
