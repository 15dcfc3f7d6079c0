/**
 * What one run of the byte screen found. `Type`: a top-level `type` member with a string value,
 * at slots 2 and 3; the caller decides on it, then resumes the run from the value's last byte.
 */
export const ByteScreenStatus = { Parse: 0, NotPlain: 1, End: 2, Type: 3 } as const;
export type ByteScreenStatus = (typeof ByteScreenStatus)[keyof typeof ByteScreenStatus];

/** Bodies of fewer bytes fit the screen's memory (a 0 after them included). */
export const BYTE_SCREEN_CAPACITY = 65_536;

/** Where a run leaves the content offsets of the top-level id and type: four i32s after the body's page. */
export const BYTE_SCREEN_SLOTS = BYTE_SCREEN_CAPACITY + 1024;

/** Pages of 64 KiB of the screen's memory: the body's, then the slots (and room for a 4-byte read past a body's end). */
export const BYTE_SCREEN_PAGES = 2;

/** Open containers followed, the event's own object included; deeper bodies take the usual path. */
export const MAX_SCREEN_DEPTH = 30;
