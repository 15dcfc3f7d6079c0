// A local stand-in for GET /v1/organization/audit_logs on 127.0.0.1: honours effective_at[gte|lte],
// limit (1-100, default 20) and the after cursor, lists newest first (as OpenAI's example does),
// checks the Bearer key, and answers scripted faults (429 with Retry-After, 500, 401) on demand.
import { createServer, type Server } from 'node:http';

export interface FakeEvent {
  readonly id: string;
  readonly effective_at: number;
  readonly [key: string]: unknown;
}

export interface FakeAuditApi {
  readonly baseUrl: string;
  readonly events: FakeEvent[];
  /** Responses to give instead of the next requests, in order. */
  readonly faults: Array<{ status: number; headers?: Record<string, string> }>;
  readonly requests: URLSearchParams[];
  /** The key the fake accepts; change it to rotate. */
  adminKey: string;
  stop(): Promise<void>;
}

export async function startFakeAuditApi(adminKey: string): Promise<FakeAuditApi> {
  const events: FakeEvent[] = [];
  const faults: FakeAuditApi['faults'] = [];
  const requests: URLSearchParams[] = [];
  const state = { adminKey };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/v1/organization/audit_logs' || req.method !== 'GET')
      return send(404, { error: { message: 'not found' } });
    requests.push(url.searchParams);
    const fault = faults.shift();
    if (fault) return send(fault.status, { error: { message: `scripted ${fault.status}` } }, fault.headers);
    if (req.headers.authorization !== `Bearer ${state.adminKey}`)
      return send(401, { error: { message: 'Incorrect API key provided' } });
    const gte = Number(url.searchParams.get('effective_at[gte]') ?? -Infinity);
    const lte = Number(url.searchParams.get('effective_at[lte]') ?? Infinity);
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 20)));
    // As OpenAI documents `tenant_only`: tenant-scoped types only with it, and only without it the rest.
    const tenantOnly = url.searchParams.get('tenant_only') === 'true';
    const sorted = events
      .filter((e) => e.effective_at >= gte && e.effective_at <= lte && tenantScoped(e) === tenantOnly)
      .sort((a, b) => b.effective_at - a.effective_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const after = url.searchParams.get('after');
    const from = after === null ? 0 : sorted.findIndex((e) => e.id === after) + 1;
    const data = sorted.slice(from, from + limit);
    send(200, {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: from + limit < sorted.length,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    events,
    faults,
    requests,
    get adminKey() {
      return state.adminKey;
    },
    set adminKey(key: string) {
      state.adminKey = key;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Whether the fake lists an event only with `tenant_only=true`: `tenant.*` types and the role
 * bindings the schema names as tenant-scoped (`role.bound_to_resource`, `role.unbound_from_resource`).
 */
function tenantScoped(event: FakeEvent): boolean {
  const type = typeof event.type === 'string' ? event.type : '';
  return type.startsWith('tenant.') || type === 'role.bound_to_resource' || type === 'role.unbound_from_resource';
}

/** An audit event as the API lists it. */
export function auditEvent(id: string, at: number, type = 'login.succeeded'): FakeEvent {
  return {
    id,
    effective_at: at,
    type,
    actor: { type: 'session', session: { user: { id: 'user-1', email: 'a@example.com' } } },
  };
}
