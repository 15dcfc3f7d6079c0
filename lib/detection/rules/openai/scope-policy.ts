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
}

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
  return { exact, globs };
}

function classify(scope: string, policy: CompiledScopePolicy): Severity | undefined {
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
