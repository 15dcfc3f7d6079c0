// Shared by the Panther simple-detection tests: a detection file around a few lines of YAML, its
// compiled rule run on raw events, and the message of a file that does not compile.
import type { Rule } from '../../../../lib/detection/engine/rule.ts';
import type { AuditEvent } from '../../../../lib/detection/openai/audit-event.ts';
import { normalizeAuditEvent } from '../../../../lib/detection/openai/normalize.ts';
import { compilePantherDetection } from '../../../../lib/detection/panther/index.ts';

/** The metadata every test detection needs (5 lines), before what the test adds. */
export const HEADER = [
  'AnalysisType: rule',
  'RuleID: Test.Detection',
  'Enabled: true',
  'LogTypes: [OpenAI.Audit]',
  'Severity: Medium',
].join('\n');

/** A whole file: the header, then `body` (top-level YAML, e.g. a `Detection:` block). */
export function file(body: string): string {
  return `${HEADER}\n${body}\n`;
}

/** A detection whose `Detection` list is `expressions` (YAML list items, indented by the caller or not). */
export function detection(expressions: string, more = ''): string {
  const indented = expressions
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return file(`Detection:\n${indented}${more === '' ? '' : `\n${more}`}`);
}

/** Compiles `text` (a whole file) into its rule. */
export function compile(text: string): Rule<AuditEvent> {
  return compilePantherDetection(text, 'test.yml').rule;
}

/** Whether the rule of `expressions` matches the raw event `raw`. */
export function matches(expressions: string, raw: unknown): boolean {
  const rule = compile(detection(expressions));
  return rule.match?.(normalizeAuditEvent(raw)) ?? true;
}

/** The message of the error compiling `text` throws (the test fails if it compiles). */
export function compileError(text: string, source = 'rules/x.yml'): string {
  try {
    compilePantherDetection(text, source);
  } catch (error) {
    if (error instanceof Error) return error.message;
    throw error;
  }
  throw new Error('expected a compile error, but the detection compiled');
}

/** Runs every function of a rule on a raw event, as the engine would. */
export function outputs(rule: Rule<AuditEvent>, raw: unknown) {
  const event = normalizeAuditEvent(raw);
  return {
    match: rule.match?.(event),
    title: rule.title?.(event),
    dedup: rule.dedup?.(event),
    severity: rule.severity?.(event),
    alertContext: rule.alertContext?.(event),
  };
}
