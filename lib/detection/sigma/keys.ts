import type { KeyTreatment } from '../panther/top-level-keys.ts';

const SUPPORTED: KeyTreatment = { kind: 'supported' };
const ignored = (reason: string): KeyTreatment => ({ kind: 'ignored', reason });

/**
 * Every top-level key of a Sigma rule (sigma-rules-specification.md, "File Structure") and of a
 * correlation rule (sigma-correlation-rules-specification.md, "Components"), what this compiler
 * does with it, plus `tests` (ours: the rule's tests in Panther's format). A key not in this table
 * is an error naming it: a typo must never drop part of a rule. (The specification also allows
 * "arbitrary custom fields"; here they are refused for that reason.) Keys that apply only to one
 * kind of rule (`logsource`, `detection`, `fields` to detection rules; `correlation`, `generate`
 * to correlations) are checked by the compiler.
 *
 * @example
 * ```ts
 * SIGMA_KEYS.get('related'); // { kind: 'ignored', reason: 'relations between Sigma rules ...' }
 * ```
 */
export const SIGMA_KEYS: ReadonlyMap<string, KeyTreatment> = new Map([
  ['title', SUPPORTED],
  ['id', SUPPORTED],
  ['name', SUPPORTED],
  ['taxonomy', SUPPORTED],
  ['status', SUPPORTED],
  ['description', SUPPORTED],
  ['references', SUPPORTED],
  ['logsource', SUPPORTED],
  ['detection', SUPPORTED],
  ['fields', SUPPORTED],
  ['falsepositives', SUPPORTED],
  ['level', SUPPORTED],
  ['tags', SUPPORTED],
  ['correlation', SUPPORTED],
  ['generate', SUPPORTED],
  ['tests', SUPPORTED],
  [
    'related',
    ignored(
      'relations between Sigma rules (derived, obsolete, merged, renamed, similar), kept for their maintainers; they do not change what this rule matches',
    ),
  ],
  // Descriptive metadata every Sigma rule carries: accepted without a warning (it changes nothing).
  ['author', SUPPORTED],
  ['date', SUPPORTED],
  ['modified', SUPPORTED],
  ['license', SUPPORTED],
  ['scope', ignored('the kinds of machine a rule is meant for; OpenAI audit events all come from one organization')],
]);
