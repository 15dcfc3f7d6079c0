import type { AlertDocument } from '../../pipeline/alerts/alert-document.ts';
import type { JsonValue } from '../../shared/json.ts';
import { printable } from '../../shared/printable.ts';

function text(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * An alert in three readable lines for a terminal: severity and title; actor, key and scopes;
 * source, event and alert id. Every value from the event is escaped.
 *
 * @example
 * ```ts
 * process.stdout.write(alertText(alert));
 * ```
 */
export function alertText(alert: AlertDocument): string {
  const c = alert.alertContext;
  // Panther's placeholders (<UNKNOWN_SOURCE_IP>...) say nothing on a terminal line: leave them out.
  const get = (key: string) => {
    const value = text(c[key]);
    return value === undefined || /^<UNKNOWN_[A-Z_]+>$/.test(value) ? undefined : value;
  };
  // Rules name the same things differently (Panther's keys): the actor's email or the account
  // attacked, the source IP of the event or of the login that completed a correlation.
  const actor = [get('actor_email') ?? get('email') ?? get('account'), get('actor_id') && `(${get('actor_id')})`]
    .filter(Boolean)
    .join(' ');
  const place = [get('source_city'), get('source_country')].filter(Boolean).join(', ');
  const source = [get('source_ip') ?? get('ip_address') ?? get('success_source_ip'), place && `(${place})`]
    .filter(Boolean)
    .join(' ');
  const details = [
    actor && `actor ${actor}`,
    get('api_key_id') && `key ${get('api_key_id')}`,
    get('elevated_scopes') && `elevated scopes ${get('elevated_scopes')}`,
    get('failed_login_count') &&
      `${get('failed_login_count')} failed logins from ${get('distinct_failed_login_source_ips') ?? '?'} source(s)`,
    get('role_name') && get('principal_id') && `role ${get('role_name')} to ${get('principal_id')}`,
    // An All key has no scopes to list: say what it holds instead.
    get('key_permissions') === 'unrestricted' && 'unrestricted: every permission (no scopes)',
    get('key_permissions') === 'unrecorded' && 'scopes not recorded',
  ].filter(Boolean);
  const origin = [source && `source ${source}`, `event ${alert.eventId ?? 'unknown'}`, `alert ${alert.alertId}`];
  const pad = ' '.repeat(10);
  return [
    `${alert.severity.padEnd(10)}${printable(alert.title, 300)}`,
    ...(details.length > 0 ? [`${pad}${printable(details.join(' · '), 300)}`] : []),
    `${pad}${printable(origin.filter(Boolean).join(' · '), 300)}`,
    '',
  ].join('\n');
}
