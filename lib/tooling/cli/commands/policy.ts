import { loadScopePolicy } from '../../../config/scope-policy-file.ts';
import { EXIT_OK } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

/**
 * `policy`: prints the elevated-scope policy in force as a policy file.
 *
 * @example
 * ```ts
 * await policyCommand(io); // {"includeDefaults": false, "elevatedScopes": [...]}
 * ```
 */
export function policyCommand(io: CliIo): number {
  const policy = loadScopePolicy(io.env);
  io.stdout(`${JSON.stringify({ includeDefaults: false, elevatedScopes: policy.elevatedScopes }, null, 2)}\n`);
  return EXIT_OK;
}
