import { loadScopePolicy } from '../../../config/scope-policy-file.ts';
import { DEFAULT_UNRECORDED_SCOPES_SEVERITY } from '../../../detection/rules/openai/scope-policy.ts';
import { outputJson } from '../../../shared/output-json.ts';
import { EXIT_OK } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

/**
 * `policy`: prints the elevated-scope policy in force as a policy file.
 *
 * @example
 * ```ts
 * await policyCommand(io); // {"includeDefaults": false, "unrestrictedKeys": true, ..., "elevatedScopes": [...]}
 * ```
 */
export function policyCommand(io: CliIo): number {
  const policy = loadScopePolicy(io.env);
  const document = {
    includeDefaults: false,
    unrestrictedKeys: policy.unrestrictedKeys ?? true,
    unrecordedScopesSeverity:
      policy.unrecordedScopesSeverity === undefined
        ? DEFAULT_UNRECORDED_SCOPES_SEVERITY
        : policy.unrecordedScopesSeverity,
    elevatedScopes: policy.elevatedScopes,
  };
  io.stdout(`${outputJson(document, 2)}\n`);
  return EXIT_OK;
}
