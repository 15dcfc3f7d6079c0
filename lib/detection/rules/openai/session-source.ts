import type { BaselineSubject } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';

/** The dimension of the country a session comes from. */
export const COUNTRY = 'country';

/** The dimension of the autonomous system (ASN) a session comes from. */
export const ASN = 'asn';

/**
 * The autonomous system an event comes from (`ip_address_details.asn`, `"1234"` in OpenAI's only
 * example): the number alone, so `AS1234`, `as 1234`, `1234` and the number 1234 are one ASN.
 *
 * @example
 * ```ts
 * asnNumber('AS64500'); // '64500'
 * asnNumber('64500');   // '64500'
 * ```
 */
export function asnNumber(asn: string | undefined): string | undefined {
  if (asn === undefined) return undefined;
  const prefixed = /^AS\s*(\d+)$/i.exec(asn);
  return prefixed?.[1] ?? asn;
}

/**
 * Whose baseline an event of a session user belongs to: the session user only. An `api_key` actor
 * has no source fields (schema L863-879), and a session object next to an acting key is not the
 * key's location (the resolved actor drops it).
 *
 * @example
 * ```ts
 * sessionUser(event); // 'user:user-alice', or undefined for an api_key actor
 * ```
 */
export function sessionUser(event: AuditEvent): string | undefined {
  return event.actor.type?.toLowerCase() === 'session' ? event.actor.key : undefined;
}

/**
 * Where a session comes from, as a baseline's dimensions: the country upper-cased (`fr` and `FR`
 * are one country) and the ASN as a number. Both come from `ip_address_details`, which exists only
 * in the schema's list example (L1256-1264): an event without either neither alerts nor teaches;
 * with one, that one alone is judged and learned.
 *
 * @example
 * ```ts
 * const rule: BaselineRule<AuditEvent> = { ...rest, actor: sessionUser, dimensions: SESSION_SOURCE };
 * ```
 */
export const SESSION_SOURCE: Readonly<Record<string, (event: AuditEvent) => string | undefined>> = {
  [COUNTRY]: (event) => event.actor.country?.toUpperCase(),
  [ASN]: (event) => asnNumber(event.actor.asn),
};

/**
 * The new value of one dimension of a baseline's subject, if it is new.
 *
 * @example
 * ```ts
 * newValue(subject, COUNTRY); // 'FR'
 * ```
 */
export function newValue(subject: BaselineSubject<AuditEvent>, dimension: string): string | undefined {
  return subject.newValues.find((value) => value.dimension === dimension)?.value;
}
