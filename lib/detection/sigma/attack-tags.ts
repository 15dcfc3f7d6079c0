/**
 * ATT&CK tactics by their Sigma tag name (sigma-appendix-tags.md, "Namespace: attack"), with their
 * ids. The appendix lists twelve; reconnaissance and resource-development are ATT&CK's other two
 * Enterprise tactics (attack.mitre.org/tactics/TA0043 and TA0042), spelled as the appendix spells
 * tactics.
 */
const TACTICS: ReadonlyMap<string, string> = new Map([
  ['reconnaissance', 'TA0043'],
  ['resource-development', 'TA0042'],
  ['initial-access', 'TA0001'],
  ['execution', 'TA0002'],
  ['persistence', 'TA0003'],
  ['privilege-escalation', 'TA0004'],
  ['defense-evasion', 'TA0005'],
  ['credential-access', 'TA0006'],
  ['discovery', 'TA0007'],
  ['lateral-movement', 'TA0008'],
  ['collection', 'TA0009'],
  ['exfiltration', 'TA0010'],
  ['command-and-control', 'TA0011'],
  ['impact', 'TA0040'],
]);

/** `attack.t1078` or `attack.t1078.004`: a technique or sub-technique. */
const TECHNIQUE = /^attack\.t(\d{4})(?:\.(\d{3}))?$/i;

/**
 * The `MITRE ATT&CK` report entries of a rule's Sigma tags, in this project's `TA0001:T1078` form
 * (tactic:technique, as Panther's `Reports` and the rules here write them): every tactic tag paired
 * with every technique tag. Sigma tags do not say which technique goes with which tactic, so a rule
 * tagged with several of each gets every pair; a rule tagged with techniques but no tactic gets no
 * entry (its tags are kept as they are in any case). Groups, software and other namespaces are not
 * reports.
 *
 * @example
 * ```ts
 * attackReports(['attack.initial-access', 'attack.t1078.004']); // ['TA0001:T1078.004']
 * attackReports(['attack.t1078']);                              // []
 * ```
 */
export function attackReports(tags: readonly string[]): string[] {
  const tactics: string[] = [];
  const techniques: string[] = [];
  for (const tag of tags) {
    const lower = tag.toLowerCase();
    const tactic = lower.startsWith('attack.') ? TACTICS.get(lower.slice('attack.'.length)) : undefined;
    if (tactic !== undefined) tactics.push(tactic);
    const technique = TECHNIQUE.exec(tag);
    if (technique !== null) techniques.push(`T${technique[1]}${technique[2] === undefined ? '' : `.${technique[2]}`}`);
  }
  const entries = tactics.flatMap((tactic) => techniques.map((technique) => `${tactic}:${technique}`));
  return [...new Set(entries)];
}
