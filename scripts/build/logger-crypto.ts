// What Powertools' Logger imports from node:crypto, for the bundles (scripts/build.ts resolves the
// Logger's `node:crypto` here). Its one use is the sampling of debug logs, when a sample rate is
// set; importing node:crypto at start-up costs about 4 ms of every cold start, so it is loaded the
// first time a sampling decision is made instead.

/**
 * `crypto.randomInt`, with node:crypto loaded on the first call.
 *
 * @example
 * ```ts
 * randomInt(0, 100); // an integer from 0 to 99
 * ```
 */
export function randomInt(min: number, max: number): number {
  return process.getBuiltinModule('node:crypto').randomInt(min, max);
}
