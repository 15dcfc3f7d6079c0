import { maxSeverity, type Severity } from '../../engine/severity.ts';
import { compileGlob, globMatches, type CompiledGlob } from './glob.ts';

/**
 * One entry of the elevated-scope policy: an exact scope value or a glob (`*` = any characters),
 * compared with the trimmed, lower-cased scope, and the severity a key granting it deserves.
 */
export type ScopePolicyEntry =
  | { readonly exact: string; readonly severity: Severity; readonly note?: string }
  | { readonly glob: string; readonly severity: Severity; readonly note?: string };

/** Which API key scopes are elevated, and how severe each is. Data, not code. */
export interface ScopePolicy {
  readonly elevatedScopes: readonly ScopePolicyEntry[];
  /**
   * Whether a key whose scope list is empty (or, on creation, missing) counts as holding every
   * permission, at the severity of the `all` entry (HIGH when the policy has none). Default `true`:
   * that is how OpenAI's key API writes an "All" key.
   */
  readonly unrestrictedKeys?: boolean;
  /**
   * Severity for a created key whose payload, or its `data`, is missing or `null`, so nothing says
   * what the key may do; `null` means no alert. Default `MEDIUM`: unknown is not unrestricted, but
   * it may be.
   */
  readonly unrecordedScopesSeverity?: Severity | null;
}

/** Severity of an unrestricted key when the policy has no `all` entry. */
export const DEFAULT_UNRESTRICTED_SEVERITY: Severity = 'HIGH';
/** Default of {@link ScopePolicy.unrecordedScopesSeverity}. */
export const DEFAULT_UNRECORDED_SCOPES_SEVERITY: Severity = 'MEDIUM';

/** A scope of a key that the policy marks as elevated. */
export interface ElevatedScope {
  /** The scope as the event gives it. */
  readonly scope: string;
  readonly severity: Severity;
}

/** A policy prepared for matching: exact values in a map, globs compiled, all lower-cased. */
export interface CompiledScopePolicy {
  readonly exact: ReadonlyMap<string, Severity>;
  readonly globs: ReadonlyArray<{ readonly glob: CompiledGlob; readonly severity: Severity }>;
  /** Severity of an unrestricted key, or `undefined` when unrestricted keys do not alert. */
  readonly unrestrictedSeverity: Severity | undefined;
  /** Severity of a created key with no recorded scopes, or `undefined` when it does not alert. */
  readonly unrecordedSeverity: Severity | undefined;
}

/**
 * Prepares a policy for {@link elevatedScopes}. When several entries match one scope the most
 * severe wins.
 *
 * @example
 * ```ts
 * const compiled = compileScopePolicy(DEFAULT_SCOPE_POLICY);
 * ```
 */
export function compileScopePolicy(policy: ScopePolicy): CompiledScopePolicy {
  const exact = new Map<string, Severity>();
  const globs: Array<{ glob: CompiledGlob; severity: Severity }> = [];
  for (const entry of policy.elevatedScopes) {
    if ('exact' in entry) {
      const key = entry.exact.trim().toLowerCase();
      const previous = exact.get(key);
      exact.set(key, previous ? maxSeverity(previous, entry.severity) : entry.severity);
    } else {
      globs.push({ glob: compileGlob(entry.glob.trim().toLowerCase()), severity: entry.severity });
    }
  }
  const unrestrictedSeverity =
    policy.unrestrictedKeys === false
      ? undefined
      : (classify('all', { exact, globs }) ?? DEFAULT_UNRESTRICTED_SEVERITY);
  const unrecordedSeverity =
    policy.unrecordedScopesSeverity === undefined
      ? DEFAULT_UNRECORDED_SCOPES_SEVERITY
      : (policy.unrecordedScopesSeverity ?? undefined);
  return { exact, globs, unrestrictedSeverity, unrecordedSeverity };
}

function classify(scope: string, policy: Pick<CompiledScopePolicy, 'exact' | 'globs'>): Severity | undefined {
  const normalised = scope.trim().toLowerCase();
  if (normalised === '') return undefined;
  let severity = policy.exact.get(normalised);
  for (const { glob, severity: globSeverity } of policy.globs) {
    if (globMatches(glob, normalised)) severity = severity ? maxSeverity(severity, globSeverity) : globSeverity;
  }
  return severity;
}

/**
 * The scopes that the policy marks as elevated, in the order given. Scopes are compared trimmed and
 * lower-cased; blank scopes never match.
 *
 * @example
 * ```ts
 * elevatedScopes(['api.model.read', ' ALL '], compiled); // [{ scope: ' ALL ', severity: 'HIGH' }]
 * ```
 */
export function elevatedScopes(scopes: readonly string[], policy: CompiledScopePolicy): ElevatedScope[] {
  const found: ElevatedScope[] = [];
  for (const scope of scopes) {
    const severity = classify(scope, policy);
    if (severity) found.push({ scope, severity });
  }
  return found;
}
