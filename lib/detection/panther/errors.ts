/**
 * A Panther simple-detection file cannot be compiled. The message names the file, the line, the
 * path inside the file and the problem, e.g.
 * `rules/x.yml:14: Detection[1].Any[0].Condition: unknown condition 'StartWith' (did you mean 'StartsWith'?)`.
 * Values taken from the file are passed through `printable()` before they reach the message.
 *
 * @example
 * ```ts
 * try {
 *   compilePantherDetection(text, file);
 * } catch (error) {
 *   if (error instanceof PantherDetectionError) console.error(error.message);
 * }
 * ```
 */
export class PantherDetectionError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'PantherDetectionError';
  }
}
