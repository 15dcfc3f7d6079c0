import { describe, expect, it } from 'vitest';
import { runbookLink } from '../../../lib/delivery/runbook-link.ts';

describe('runbookLink', () => {
  it('appends the rule id, or puts it where {ruleId} stands, encoded', () => {
    expect(runbookLink('https://wiki.example.com/runbooks/', 'OpenAI.CredentialStuffing')).toBe(
      'https://wiki.example.com/runbooks/OpenAI.CredentialStuffing',
    );
    expect(runbookLink('https://git.example.com/r/{ruleId}.md?plain={ruleId}', 'A B/C')).toBe(
      'https://git.example.com/r/A%20B%2FC.md?plain=A%20B%2FC',
    );
  });
  it('gives nothing without a base', () => {
    expect(runbookLink(undefined, 'OpenAI.CredentialStuffing')).toBeUndefined();
    expect(runbookLink('', 'OpenAI.CredentialStuffing')).toBeUndefined();
  });
});
