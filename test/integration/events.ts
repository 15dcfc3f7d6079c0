// Audit events for the pipeline tests.

/** When the test events happen (OpenAI's `effective_at`), unless a test says otherwise. */
export const EVENT_TIME = 1_720_000_000;

export function keyEvent(
  id: string,
  actor: string,
  options: { scopes?: unknown; type?: string; shape?: 'openai' | 'panther'; at?: number } = {},
): Record<string, unknown> {
  const type = options.type ?? 'api_key.created';
  const detailsKey = options.shape === 'panther' ? type.replaceAll('.', '_') : type;
  return {
    id,
    type,
    effective_at: options.at ?? EVENT_TIME,
    actor: {
      type: 'session',
      session: {
        user: { id: actor, email: `${actor}@example.com` },
        ip_address: '198.51.100.7',
        user_agent: 'curl/8.5.0',
        ip_address_details: { country: 'RO', city: 'Bucharest' },
      },
    },
    [detailsKey]: { id: `key_${id}`, data: { scopes: options.scopes ?? ['all'] } },
  };
}

export const benign = (id: string) => ({ id, type: 'login.succeeded', effective_at: EVENT_TIME });

export const body = (value: unknown) => JSON.stringify(value);
