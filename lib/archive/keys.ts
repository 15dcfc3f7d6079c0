import { isUtcDay } from './day.ts';
import { safeSegment, segmentProblem } from './segment.ts';

/**
 * Where archived audit events are: `events/org=<organizationId>/dt=<YYYY-MM-DD>/<objectId>.jsonl.gz`.
 *
 * @example
 * ```ts
 * for await (const folder of store.folders(`${EVENTS_FOLDER}org=`)) console.log(folder); // 'events/org=org-abc123/'
 * ```
 */
export const EVENTS_FOLDER = 'events/';

/**
 * Where archived alerts are: `alerts/dt=<YYYY-MM-DD>/<alertId>.jsonl.gz`.
 *
 * @example
 * ```ts
 * for await (const folder of store.folders(`${ALERTS_FOLDER}dt=`)) console.log(folder); // 'alerts/dt=2024-11-24/'
 * ```
 */
export const ALERTS_FOLDER = 'alerts/';

/**
 * The `org=` value of events that came without an organization (a bare event, an array or a list
 * page on the queue, rather than our ingestion's envelope). An organization whose id is `none`
 * shares its folder.
 *
 * @example
 * ```ts
 * eventOrganizationFolder(null) === `events/org=${NO_ORGANIZATION}/`; // true
 * ```
 */
export const NO_ORGANIZATION = 'none';

/**
 * The name ending of every archive object: gzip JSON Lines.
 *
 * @example
 * ```ts
 * key.endsWith(OBJECT_SUFFIX); // '.jsonl.gz'
 * ```
 */
export const OBJECT_SUFFIX = '.jsonl.gz';

function checkDay(day: string): string {
  if (!isUtcDay(day)) throw new Error(`not an archive date (YYYY-MM-DD): ${JSON.stringify(day)}`);
  return day;
}

/**
 * The folder of one organization's events: `events/org=<id>/`, `org=none` for events without an
 * organization (`null`). Throws an `Error` when the id is not a safe key segment.
 *
 * @example
 * ```ts
 * eventOrganizationFolder('org-abc123'); // 'events/org=org-abc123/'
 * eventOrganizationFolder(null);         // 'events/org=none/'
 * ```
 */
export function eventOrganizationFolder(organizationId: string | null): string {
  const org = organizationId === null ? NO_ORGANIZATION : safeSegment(organizationId, 'organization id');
  return `${EVENTS_FOLDER}org=${org}/`;
}

/**
 * The folder of one organization's events of one UTC day: `events/org=<id>/dt=<YYYY-MM-DD>/`.
 * Throws an `Error` on an unsafe organization id or a day that is not a date.
 *
 * @example
 * ```ts
 * eventDayFolder('org-abc123', '2024-11-24'); // 'events/org=org-abc123/dt=2024-11-24/'
 * ```
 */
export function eventDayFolder(organizationId: string | null, day: string): string {
  return `${eventOrganizationFolder(organizationId)}dt=${checkDay(day)}/`;
}

/**
 * The key of one object of events: `events/org=<id>/dt=<YYYY-MM-DD>/<objectId>.jsonl.gz`. Throws
 * an `Error` when a segment is unsafe ({@link segmentProblem}) or the day is not a date.
 *
 * @example
 * ```ts
 * eventObjectKey('org-abc123', '2024-11-24', '0123456789abcdef0123456789abcdef');
 * // 'events/org=org-abc123/dt=2024-11-24/0123456789abcdef0123456789abcdef.jsonl.gz'
 * ```
 */
export function eventObjectKey(organizationId: string | null, day: string, objectId: string): string {
  return `${eventDayFolder(organizationId, day)}${safeSegment(objectId, 'object id')}${OBJECT_SUFFIX}`;
}

/**
 * The folder of the alerts created on one UTC day: `alerts/dt=<YYYY-MM-DD>/`.
 *
 * @example
 * ```ts
 * alertDayFolder('2024-11-24'); // 'alerts/dt=2024-11-24/'
 * ```
 */
export function alertDayFolder(day: string): string {
  return `${ALERTS_FOLDER}dt=${checkDay(day)}/`;
}

/**
 * The key of one archived alert: `alerts/dt=<YYYY-MM-DD>/<alertId>.jsonl.gz`. Throws an `Error` on
 * an unsafe alert id or a day that is not a date.
 *
 * @example
 * ```ts
 * alertObjectKey('2024-11-24', '7885288cb029e201331629ee3b2b2a39');
 * // 'alerts/dt=2024-11-24/7885288cb029e201331629ee3b2b2a39.jsonl.gz'
 * ```
 */
export function alertObjectKey(day: string, alertId: string): string {
  return `${alertDayFolder(day)}${safeSegment(alertId, 'alert id')}${OBJECT_SUFFIX}`;
}

/**
 * What a key of the archive names ({@link parseArchiveKey}).
 *
 * @example
 * ```ts
 * const parsed: ArchiveKey | undefined = parseArchiveKey('alerts/dt=2024-11-24/a1.jsonl.gz'); // { kind: 'alerts', day: '2024-11-24', alertId: 'a1' }
 * ```
 */
export type ArchiveKey =
  | {
      readonly kind: 'events';
      /** The `org=` value: an organization id, or {@link NO_ORGANIZATION}. */
      readonly organization: string;
      readonly day: string;
      readonly objectId: string;
    }
  | { readonly kind: 'alerts'; readonly day: string; readonly alertId: string };

const EVENT_KEY = /^events\/org=([^/]+)\/dt=([^/]+)\/([^/]+)\.jsonl\.gz$/;
const ALERT_KEY = /^alerts\/dt=([^/]+)\/([^/]+)\.jsonl\.gz$/;

const safe = (value: string | undefined): value is string => segmentProblem(value) === undefined;
const day = (value: string | undefined): value is string => value !== undefined && isUtcDay(value);

/**
 * The partition values of an archive key, or `undefined` when the key is not one the layout
 * writes (another name, an unsafe segment, a `dt` that is not a date).
 *
 * @example
 * ```ts
 * parseArchiveKey('events/org=org-abc123/dt=2024-11-24/0123456789abcdef0123456789abcdef.jsonl.gz');
 * // { kind: 'events', organization: 'org-abc123', day: '2024-11-24', objectId: '0123456789abcdef0123456789abcdef' }
 * parseArchiveKey('alerts/dt=2024-11-24/7885288cb029e201331629ee3b2b2a39.jsonl.gz');
 * // { kind: 'alerts', day: '2024-11-24', alertId: '7885288cb029e201331629ee3b2b2a39' }
 * ```
 */
export function parseArchiveKey(key: string): ArchiveKey | undefined {
  const event = EVENT_KEY.exec(key);
  if (event !== null) {
    const [, organization, eventDay, objectId] = event;
    if (!safe(organization) || !day(eventDay) || !safe(objectId)) return undefined;
    return { kind: 'events', organization, day: eventDay, objectId };
  }
  const alert = ALERT_KEY.exec(key);
  if (alert !== null) {
    const [, alertDay, alertId] = alert;
    if (!day(alertDay) || !safe(alertId)) return undefined;
    return { kind: 'alerts', day: alertDay, alertId };
  }
  return undefined;
}

/**
 * The organization an `events/org=<id>/` folder holds, or `undefined` for any other folder.
 *
 * @example
 * ```ts
 * organizationOfFolder('events/org=org-abc123/'); // 'org-abc123'
 * organizationOfFolder('events/tmp/');            // undefined
 * ```
 */
export function organizationOfFolder(folder: string): string | undefined {
  const org = /^events\/org=([^/]+)\/$/.exec(folder)?.[1];
  return safe(org) ? org : undefined;
}

/**
 * The day a `.../dt=<YYYY-MM-DD>/` folder holds, or `undefined` for any other folder.
 *
 * @example
 * ```ts
 * dayOfFolder('events/org=org-abc123/dt=2024-11-24/'); // '2024-11-24'
 * dayOfFolder('alerts/dt=2024-11-24/');                 // '2024-11-24'
 * ```
 */
export function dayOfFolder(folder: string): string | undefined {
  const value = /\/dt=([^/]+)\/$/.exec(folder)?.[1];
  return day(value) ? value : undefined;
}
