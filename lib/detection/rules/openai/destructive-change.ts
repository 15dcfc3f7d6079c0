import type { Rule } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember, textValue } from '../../openai/text-field.ts';
import { isJsonObject, ownValue, type JsonObject, type JsonValue } from '../../../shared/json.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const DESTRUCTIVE_CHANGE_RULE_ID = 'OpenAI.Destructive.Change';

const EXTERNAL_KEY_REMOVED = 'external_key.removed';
const CERTIFICATES_DEACTIVATED = 'certificates.deactivated';
const CERTIFICATE_DELETED = 'certificate.deleted';

/** Per event type: the words of the title and the severity (research OAI-IMP-02). */
const CHANGES: Readonly<Record<string, { readonly action: string; readonly severity: Severity }>> = {
  [EXTERNAL_KEY_REMOVED]: { action: 'External Encryption Key Removed', severity: 'HIGH' }, // L111-117 {id}
  [CERTIFICATES_DEACTIVATED]: { action: 'Certificates Deactivated', severity: 'MEDIUM' }, // L805-823 {certificates[]}
  [CERTIFICATE_DELETED]: { action: 'Certificate Deleted', severity: 'MEDIUM' }, // L777-789 {id, name, certificate}
};

/** Certificates of a `certificates.deactivated` event copied into the alert context at most. */
export const MAX_LISTED_CERTIFICATES = 50;

const PEM_MARKER = '-----BEGIN';
const REDACTED_PEM = '<REDACTED_PEM>';

/**
 * An id or name of a certificate as the alert shows it: trimmed text, and never certificate
 * content. `certificate.deleted` carries the PEM content beside the id and name (L787-789); a
 * malformed event that puts PEM text in one of them gets a placeholder instead of the content.
 */
function certificateText(value: unknown): string | undefined {
  const text = textValue(value);
  return text?.includes(PEM_MARKER) ? REDACTED_PEM : text;
}

/** One deactivated certificate: its id and name only (L811-819). */
interface CertificateRef {
  readonly id: string;
  readonly name: string;
}

/**
 * The certificates a `certificates.deactivated` payload lists (L809-819), ids and names only, at
 * most {@link MAX_LISTED_CERTIFICATES}; `count` is the length of the list as sent. An entry that is a
 * bare text is read as an id; other entries are skipped.
 *
 * @example
 * ```ts
 * deactivatedCertificates({ certificates: [{ id: 'cert_1', name: 'prod mTLS' }] });
 * // { listed: [{ id: 'cert_1', name: 'prod mTLS' }], count: 1 }
 * ```
 */
export function deactivatedCertificates(details: JsonObject | undefined): { listed: CertificateRef[]; count: number } {
  const value = details === undefined ? undefined : ownValue(details, 'certificates');
  if (!Array.isArray(value)) return { listed: [], count: 0 };
  const listed: CertificateRef[] = [];
  for (const entry of value.slice(0, MAX_LISTED_CERTIFICATES)) {
    if (isJsonObject(entry))
      listed.push({
        id: certificateText(ownValue(entry, 'id')) ?? '<UNKNOWN_CERTIFICATE_ID>',
        name: certificateText(ownValue(entry, 'name')) ?? '<UNKNOWN_CERTIFICATE_NAME>',
      });
    else {
      const id = certificateText(entry);
      if (id !== undefined) listed.push({ id, name: '<UNKNOWN_CERTIFICATE_NAME>' });
    }
  }
  return { listed, count: value.length };
}

/**
 * "OpenAI Destructive Change": a customer-managed (external) encryption key removed (HIGH), or
 * certificates deactivated or deleted (MEDIUM), research OAI-IMP-02's single-event part. The
 * certificate content `certificate.deleted` carries is never copied into the alert.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers destructiveChangeRule
 * ```
 */
export const destructiveChangeRule: Rule<AuditEvent> = {
  id: DESTRUCTIVE_CHANGE_RULE_ID,
  displayName: 'OpenAI Destructive Change',
  description: [
    'Alerts when an OpenAI organization loses something it cannot simply re-create: an external',
    '(customer-managed, EKM) encryption key configuration removed (external_key.removed, HIGH), or',
    'certificates deactivated (certificates.deactivated) or deleted (certificate.deleted) (MEDIUM).',
    'Data encrypted under a removed key may become unreadable, and taking certificates away can cut',
    'off the clients that authenticate with them: an attacker with admin rights can use either to',
    'destroy data or disrupt service, and a mistake does the same. Certificate content is never copied',
    'into the alert: ids and names only.',
  ].join('\n'),
  runbook: [
    "1. Confirm the change with the team that owns the organization's encryption keys or certificates (key management, platform security): a planned key rotation, a decommissioned integration or a certificate renewal explains it; check the change ticket.",
    '2. For a removed external key: find out at once which projects and stored data (files, vector stores, fine-tuning data, conversations) were protected by that key configuration, and whether the key still exists in your own key management service; restoring the configuration quickly may be the only way to keep that data readable. Check your KMS audit trail for a key disabled or scheduled for deletion at the same time.',
    '3. For certificates: identify them (ids and names in the alert context), the clients that present them, and whether a replacement was activated (certificates.activated, certificate.created) around the same time; reactivate or re-upload them if the change was not intended.',
    "4. Review the acting account's other actions around the event (GET /v1/organization/audit_logs with actor_ids[] or actor_emails[] and effective_at[gte]): projects archived or deleted, API keys deleted, members removed, logging or IP allowlists changed. If the change was not planned, handle the account as compromised: revoke its sessions and keys and reset its credentials.",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'HIGH',
  reports: { 'MITRE ATT&CK': ['TA0040:T1485', 'TA0040:T1490'] },
  tags: ['OpenAI', 'Impact', 'Encryption Keys', 'Certificates'],
  eventTypes: Object.keys(CHANGES),

  title: (event) =>
    `OpenAI ${(event.type !== undefined && CHANGES[event.type]?.action) || 'Destructive Change'} by [${actorLabel(event)}]`,

  severity: (event) => (event.type !== undefined && CHANGES[event.type]?.severity) || 'DEFAULT',

  dedup: (event) => `${DESTRUCTIVE_CHANGE_RULE_ID}:${event.type ?? ''}:${event.actor.key}`,

  alertContext: (event) => {
    const details = event.details;
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    switch (event.type) {
      case EXTERNAL_KEY_REMOVED:
        context.external_key_id = textMember(details, 'id') ?? '<UNKNOWN_EXTERNAL_KEY_ID>'; // L115
        break;
      case CERTIFICATE_DELETED: {
        // L783, L786; never `certificate` (L787-789, the PEM content).
        const field = (key: string): unknown => (details === undefined ? undefined : ownValue(details, key));
        context.certificate_id = certificateText(field('id')) ?? '<UNKNOWN_CERTIFICATE_ID>';
        context.certificate_name = certificateText(field('name')) ?? '<UNKNOWN_CERTIFICATE_NAME>';
        break;
      }
      case CERTIFICATES_DEACTIVATED: {
        const { listed, count } = deactivatedCertificates(details); // L809-819
        context.certificates = listed.map((certificate) => ({ id: certificate.id, name: certificate.name }));
        context.certificate_count = count;
        context.certificates_truncated = count > MAX_LISTED_CERTIFICATES;
        break;
      }
    }
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    return Object.assign(context, extraContext(event));
  },
};
