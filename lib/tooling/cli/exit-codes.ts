/** Everything worked. */
export const EXIT_OK = 0;
/** The command ran, but something failed: a test, an input line, a rule. */
export const EXIT_FAILURE = 1;
/** The command could not run: bad arguments or configuration. */
export const EXIT_USAGE = 2;
