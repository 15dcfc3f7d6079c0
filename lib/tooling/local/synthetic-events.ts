import { OPENAI_AUDIT_LOG_TYPE } from '../../detection/openai/constants.ts';
import { createRuleCatalog } from '../../detection/rules/create-rule-catalog.ts';
import type { JsonObject } from '../../shared/json.ts';

/** How a synthetic event stream is made. */
export interface SyntheticOptions {
  /** Fraction of events that are API keys granted elevated scopes (they match the rule). */
  readonly matchingRate: number;
  /** Fraction of events that are API key events without elevated scopes (candidates that do not match). */
  readonly benignKeyRate?: number;
  /** Prefix of event ids and actor ids, so separate runs never collide in the dedup table. */
  readonly runId: string;
  /** Distinct actors of matching events; matches beyond it repeat actors (and are suppressed). */
  readonly matchingActors?: number;
  /** Names the matching actors (default: `runId`), so several runs can share actors. */
  readonly actorSet?: string;
  /** `effective_at` of the first event (Unix seconds; default 1,732,430,000). */
  readonly startTime?: number;
  /** Event times spread evenly over this many seconds (default: one second apart). */
  readonly spreadSeconds?: number;
  /** Every n-th matching event grants `all` (HIGH) instead of a MEDIUM scope (default: never). */
  readonly highEvery?: number;
  /**
   * Fraction of events that are logins of `loginAccounts` accounts (default: none): mostly failures,
   * from as many distinct source IPs as the account's number plus one (so some accounts reach
   * credential stuffing's five distinct IPs and others never do), every eighth login of an account
   * a success (so the brute-force correlation completes for accounts with five failures before it).
   */
  readonly loginRate?: number;
  readonly loginAccounts?: number;
  /**
   * After each successful login, the account creates an admin API key a minute later (one more
   * event): after failed logins, what the takeover chain after a brute force looks for.
   */
  readonly adminKeyAfterLogin?: boolean;
  /** Where every session comes from (`ip_address_details`; default US, ASN 1234). */
  readonly source?: { readonly country: string; readonly asn: string };
}

const HOME = { country: 'US', asn: '1234' };

const CANDIDATE_OTHER_TYPES = [
  'login.succeeded',
  'login.failed',
  'project.created',
  'user.added',
  'invite.sent',
  'role.assignment.created',
  'service_account.created',
  'api_key.deleted',
];

function otherDetails(type: string, i: number): JsonObject {
  return type === 'login.failed'
    ? { error_code: 'invalid_credentials', error_message: 'Invalid password' }
    : { id: `obj_${i}`, data: { role: 'member', name: `thing-${i}` } };
}

let quietTypes: readonly string[] | undefined;

/**
 * The "other" event types that no registered rule matches, signals and correlations included (a
 * failed login feeds credential stuffing and the brute-force correlation, so it is not quiet).
 * Derived from the catalog, so adding a rule never turns the filler events into matches.
 */
export function quietEventTypes(): readonly string[] {
  quietTypes ??= (() => {
    const catalog = createRuleCatalog();
    return CANDIDATE_OTHER_TYPES.filter((type) => {
      const event = { id: 'probe', type, actor: session('probe', 0), [type]: otherDetails(type, 0) };
      const result = catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event);
      return result.matches.length + result.signals.length + result.steps.length + result.suppressed.length === 0;
    });
  })();
  return quietTypes;
}

function session(user: string, index: number, source: SyntheticOptions['source'] = HOME): JsonObject {
  return {
    type: 'session',
    session: {
      user: { id: `user-${user}`, email: `${user}@example.com` },
      ip_address: `198.51.100.${index % 250}`,
      user_agent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
      ja3: 'a497151ce4338a12c4418c44d375173e',
      ja4: 'q13d0313h3_55b375c5d22e_c7319ce65786',
      ip_address_details: {
        country: source.country,
        city: 'San Francisco',
        region: 'California',
        region_code: 'CA',
        asn: source.asn,
        latitude: '37.77490',
        longitude: '-122.41940',
      },
    },
  };
}

/**
 * A deterministic stream of realistic OpenAI audit events (OpenAI's own shape and field set): a
 * mix of project, user and role changes and API key events, with `matchingRate` of them API keys
 * created with elevated scopes; the rest match no registered rule (see {@link quietEventTypes}).
 *
 * @example
 * ```ts
 * const events = syntheticEvents(1000, { matchingRate: 0.01, runId: 'bench-1' }); // 10 match
 * ```
 */
export function syntheticEvents(count: number, options: SyntheticOptions): JsonObject[] {
  const events: JsonObject[] = [];
  const matchEvery = options.matchingRate > 0 ? Math.round(1 / options.matchingRate) : Infinity;
  const benignEvery = (options.benignKeyRate ?? 0.02) > 0 ? Math.round(1 / (options.benignKeyRate ?? 0.02)) : Infinity;
  let matches = 0;
  const loginEvery = (options.loginRate ?? 0) > 0 ? Math.round(1 / (options.loginRate ?? 1)) : Infinity;
  const loginsOf = new Map<number, number>();
  let logins = 0;
  const start = options.startTime ?? 1_732_430_000;
  const step = options.spreadSeconds === undefined ? 1 : options.spreadSeconds / Math.max(1, count);
  for (let i = 0; i < count; i++) {
    const id = `audit_log-${options.runId}-${i}`;
    const base = { id, effective_at: start + Math.floor(i * step), project: { id: 'proj_abc', name: 'Production' } };
    if (i % matchEvery === matchEvery - 1) {
      const high = options.highEvery !== undefined && matches % options.highEvery === options.highEvery - 1;
      const actor = `${options.actorSet ?? options.runId}-admin-${matches++ % (options.matchingActors ?? Number.MAX_SAFE_INTEGER)}`;
      const scopes = high
        ? ['api.model.request', 'all']
        : ['api.model.request', 'api.organization.projects.api_keys.write'];
      events.push({
        ...base,
        type: 'api_key.created',
        actor: session(actor, i, options.source),
        'api_key.created': { id: `key_${i}`, data: { scopes } },
      });
    } else if (i % loginEvery === loginEvery - 1) {
      const account = logins++ % Math.max(1, options.loginAccounts ?? 1);
      const n = loginsOf.get(account) ?? 0;
      loginsOf.set(account, n + 1);
      const user = `${options.actorSet ?? options.runId}-account-${account}`;
      const actor = session(user, i, options.source);
      const ip = `203.0.113.${(n % (account + 2)) + 1}`;
      const type = n % 8 === 7 ? 'login.succeeded' : 'login.failed';
      const details: JsonObject = type === 'login.failed' ? { [type]: otherDetails(type, i) } : {};
      events.push({
        ...base,
        type,
        actor: { ...actor, session: { ...(actor.session as JsonObject), ip_address: ip } },
        ...details,
      });
      if (type === 'login.succeeded' && options.adminKeyAfterLogin === true)
        events.push({
          ...base,
          id: `${id}-admin-key`,
          effective_at: base.effective_at + 60,
          type: 'tenant.admin_api_key.created',
          actor: { ...actor, session: { ...(actor.session as JsonObject), ip_address: ip } },
          'tenant.admin_api_key.created': { id: `key_admin_${i}` },
        });
    } else if (i % benignEvery === 0) {
      events.push({
        ...base,
        type: 'api_key.created',
        actor: session(`dev-${i % 40}`, i, options.source),
        'api_key.created': {
          id: `key_${i}`,
          data: { scopes: ['api.model.read', 'api.model.request', 'api.responses.write'] },
        },
      });
    } else {
      const others = quietEventTypes();
      const type = others[i % others.length] ?? 'project.created';
      events.push({
        ...base,
        type,
        actor: session(`user-${i % 200}`, i, options.source),
        [type]: otherDetails(type, i),
      });
    }
  }
  return events;
}

/**
 * Splits events into SQS message bodies of `perMessage` events each (JSON arrays).
 *
 * @example
 * ```ts
 * messageBodies(syntheticEvents(1000, options), 100); // 10 bodies
 * ```
 */
export function messageBodies(events: readonly JsonObject[], perMessage: number): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += perMessage) bodies.push(JSON.stringify(events.slice(i, i + perMessage)));
  return bodies;
}
