/** Longest untrusted string echoed into a terminal or log line by {@link printable}. */
export const DEFAULT_PRINTABLE_LIMIT = 200;
