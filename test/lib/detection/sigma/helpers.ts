// Shared by the Sigma compiler's tests: a rule file around a few lines of detection YAML, its
// compiled rule run on raw events, and the message of a file that does not compile.
import type { CorrelationRule, Rule } from '../../../../lib/detection/engine/rule.ts';
import type { AuditEvent } from '../../../../lib/detection/openai/audit-event.ts';
import { normalizeAuditEvent } from '../../../../lib/detection/openai/normalize.ts';
import { compileSigmaFile } from '../../../../lib/detection/sigma/index.ts';

/** The lines before `detection:`'s content (7 lines: the detection's first line is line 8). */
export const HEADER = [
  'title: Test rule',
  'id: 11111111-2222-4333-8444-555555555555',
  'logsource:',
  '  product: openai',
  '  service: audit',
  'level: medium',
  'detection:',
].join('\n');

/** The rule id of {@link HEADER}'s rule. */
export const RULE_ID = 'Sigma.11111111-2222-4333-8444-555555555555';

/** A whole rule file: the header, `detection` (indented here), then `more` (top-level YAML). */
export function sigma(detection: string, more = ''): string {
  const indented = detection
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `${HEADER}\n${indented}\n${more}`;
}

/** The single rule `text` compiles to. */
export function compileRule(text: string): Rule<AuditEvent> {
  const { rules } = compileSigmaFile(text, 'test.yml');
  if (rules.length !== 1) throw new Error(`expected one rule, got ${rules.length}`);
  return rules[0] as Rule<AuditEvent>;
}

/** Whether the rule of `detection` (selections and a condition) matches the raw event `raw`. */
export function matches(detection: string, raw: unknown): boolean {
  return compileRule(sigma(detection)).match?.(normalizeAuditEvent(raw)) ?? true;
}

/** A tester for one detection: compiled once, run on several events. */
export function matcher(detection: string): (raw: unknown) => boolean {
  const rule = compileRule(sigma(detection));
  return (raw) => rule.match?.(normalizeAuditEvent(raw)) ?? true;
}

/** The message of the error compiling `text` throws (the test fails if it compiles). */
export function compileError(text: string, source = 'rules/x.yml'): string {
  try {
    compileSigmaFile(text, source);
  } catch (error) {
    if (error instanceof Error) return error.message;
    throw error;
  }
  throw new Error('expected a compile error, but the file compiled');
}

/** The rules of a file, by id. */
export function rulesById(text: string): Map<string, Rule<AuditEvent> | CorrelationRule<AuditEvent>> {
  return new Map(compileSigmaFile(text, 'test.yml').rules.map((rule) => [rule.id, rule]));
}

/** A detection document named `name` (9 lines), matching events of `type`, then `extra` (top-level YAML). */
export function base(name: string, type: string, extra = ''): string {
  return `title: ${name}\nname: ${name}\nlogsource:\n  product: openai\n  service: audit\ndetection:\n  selection:\n    type: ${type}\n  condition: selection\n${extra}`;
}

/** A correlation document: `head` (3 lines by default, the root's: it has a level), then `correlation:` and `body`. */
export function correlation(body: string, head = 'title: Corr\nname: corr\nlevel: high'): string {
  return `${head}\ncorrelation:\n${body}\n`;
}
