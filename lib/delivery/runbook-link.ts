/**
 * The link to a rule's runbook in the team's own wiki or repository, from the `runbookBaseUrl`
 * deploy parameter: `{ruleId}` in the base is replaced by the rule id, else the rule id is appended.
 * Undefined when no base is configured (the runbook's text still travels with every alert).
 *
 * @example
 * ```ts
 * runbookLink('https://wiki.example.com/runbooks/', 'OpenAI.CredentialStuffing');
 * // 'https://wiki.example.com/runbooks/OpenAI.CredentialStuffing'
 * runbookLink('https://git.example.com/sec/runbooks/{ruleId}.md', 'OpenAI.CredentialStuffing');
 * // 'https://git.example.com/sec/runbooks/OpenAI.CredentialStuffing.md'
 * ```
 */
export function runbookLink(base: string | undefined, ruleId: string): string | undefined {
  if (base === undefined || base === '') return undefined;
  const id = encodeURIComponent(ruleId);
  return base.includes('{ruleId}') ? base.replaceAll('{ruleId}', id) : `${base}${id}`;
}
