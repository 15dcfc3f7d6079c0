import { isJsonObject, ownValue, type JsonValue } from '../../shared/json.ts';
import { organizationIdProblem, organizationName, type Organization } from './organization.ts';

/** Marks a message body written by our ingestion: `{"envelope": ENVELOPE_TAG, ...}`. */
export const ENVELOPE_TAG = 'openai-audit-alerts/events@1';

/** Which way the events came in. */
export type IngestSource = 'poller' | 'webhook' | 'local';

/** What an envelope says about the events it carries. */
export interface EnvelopeHeader {
  readonly organization: Organization;
  readonly source: string;
}

/**
 * The opening of an envelope body, up to the events array: `{"envelope":...,"events":[`. Bodies
 * are this, the events' JSON joined by commas, and `]}`.
 *
 * @example
 * ```ts
 * const body = `${envelopeOpening(org, 'poller')}${eventJson.join(',')}]}`;
 * ```
 */
export function envelopeOpening(organization: Organization, source: IngestSource): string {
  const header = JSON.stringify({
    envelope: ENVELOPE_TAG,
    source,
    organization: { id: organization.id, name: organization.name },
  });
  return `${header.slice(0, -1)},"events":[`;
}

/**
 * An envelope as a value: `events` with the organization and source they came with, as
 * {@link envelopeOpening} writes it. What a dead letter keeps, so that a redrive is processed as
 * the original message was (the same organization, the same dedup keys).
 *
 * @example
 * ```ts
 * const body = JSON.stringify(envelopeValue(org, 'poller', failedEvents));
 * ```
 */
export function envelopeValue(
  organization: Organization,
  source: string,
  events: readonly JsonValue[],
): { readonly [key: string]: JsonValue } {
  return {
    envelope: ENVELOPE_TAG,
    source,
    organization: { id: organization.id, name: organization.name },
    events: [...events],
  };
}

/** The envelope of a parsed message body, its events still unchecked. */
export type ReadEnvelope =
  { readonly header: EnvelopeHeader; readonly events: JsonValue | undefined } | { readonly error: string };

/**
 * Reads our envelope from a parsed body; `undefined` when the value is not one (a bare event, an
 * array, a list page: those carry no organization).
 *
 * @example
 * ```ts
 * const envelope = readEnvelope(JSON.parse(body));
 * if (envelope && 'header' in envelope) envelope.header.organization.id;
 * ```
 */
export function readEnvelope(value: unknown): ReadEnvelope | undefined {
  if (!isJsonObject(value) || ownValue(value, 'envelope') !== ENVELOPE_TAG) return undefined;
  const organization = ownValue(value, 'organization');
  if (!isJsonObject(organization)) return { error: 'envelope: "organization" must be an object' };
  const id = ownValue(organization, 'id');
  const problem = organizationIdProblem(id);
  if (problem !== undefined || typeof id !== 'string')
    return { error: `envelope: organization.id ${problem ?? 'must be a string'}` };
  const source = ownValue(value, 'source');
  return {
    header: {
      organization: { id, name: organizationName(ownValue(organization, 'name')) },
      source: typeof source === 'string' ? source : '',
    },
    events: ownValue(value, 'events'),
  };
}
