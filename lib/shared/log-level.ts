/** Log severity, as every function and the CLI name it (`LOG_LEVEL`, `--log-level`). */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Fields of a log line: identifiers, counts and sanitised reasons only, never event contents or secrets. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;
