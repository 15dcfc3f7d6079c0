import type { EventIdentity } from './result.ts';
import type { EventSubject } from './rule-settings.ts';

/**
 * How the engine reads one kind of log: a cheap look at the event type, a one-time normalisation
 * into the shape the log type's rules take, and the identity of an event for reporting.
 *
 * `eventTypeOf` runs on every event, so it must not allocate; `normalize` runs only when some rule
 * can match the event's type. Neither may throw on any input (the engine still guards them).
 */
export interface LogType<E> {
  /** Log type name, e.g. `OpenAI.Audit`. */
  readonly name: string;
  /** The event's type, or `undefined` when it has none. */
  eventTypeOf(raw: unknown): string | undefined;
  /** The normalised event given to rules. */
  normalize(raw: unknown): E;
  /** Id, type and time of a normalised event. */
  identify(event: E): EventIdentity;
  /** Who and where the event comes from, for the rules configuration's suppressions. */
  subject(event: E): EventSubject;
}
