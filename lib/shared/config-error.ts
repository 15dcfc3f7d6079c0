/**
 * A configuration value is missing or invalid. The message names the environment variable, e.g.
 * `DEDUP_TABLE_NAME is not set`.
 *
 * @example
 * ```ts
 * try { readDetectConfig(process.env); } catch (e) { if (e instanceof ConfigError) ... }
 * ```
 */
export class ConfigError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}
