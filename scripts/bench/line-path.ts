// The per-event path of the detect function without its I/O, one SQS message body at a time: the
// intake (envelopes, checks) and the catalog's rules on each event.
import { RuleCatalog } from '../../lib/detection/engine/catalog.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../lib/detection/openai/constants.ts';
import { openAiAuditLogType } from '../../lib/detection/openai/log-type.ts';
import { createRuleCatalog } from '../../lib/detection/rules/create-rule-catalog.ts';
import { createApiKeyAnomalousActivityRule } from '../../lib/detection/rules/openai/api-key-anomalous-activity.ts';
import { messageContent } from '../../lib/pipeline/intake/message-body.ts';
import type { LinePath } from './event-path.ts';

/** A path over lines, and the lines it parses in full with `JSON.parse` (its floor). */
export interface MeasuredPath {
  readonly path: LinePath;
  readonly parsedLines: readonly string[];
}

function pathOf(catalog: RuleCatalog, lines: readonly string[], counted?: ReadonlySet<string>): MeasuredPath {
  const count = (found: ReadonlyArray<{ rule: { id: string } }>) =>
    counted === undefined ? found.length : found.filter((match) => counted.has(match.rule.id)).length;
  const path: LinePath = (line) => {
    const content = messageContent(line);
    if (content.kind !== 'events') return 0;
    let matches = 0;
    // Signals' matches too: the peer counts every rule's matches, its signals' included.
    for (const { event } of content.events) {
      const evaluation = catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event);
      matches += count(evaluation.matches) + count(evaluation.signals);
    }
    return matches;
  };
  // Every line is parsed in full.
  return { path, parsedLines: lines };
}

/**
 * The deployed catalog's path: every rule, the signals and the correlation's steps. With
 * `countedRules` (the peer's rule ids), the matches it returns are those rules' only, to compare
 * with the peer's; the work is still every rule's.
 *
 * @example
 * ```ts
 * const { path, parsedLines } = detectionPath(corpus.lines, peer.rules);
 * ```
 */
export function detectionPath(lines: readonly string[], countedRules?: readonly string[]): MeasuredPath {
  return pathOf(createRuleCatalog(), lines, countedRules === undefined ? undefined : new Set(countedRules));
}

/**
 * The same path with only the rule the peer runs (OpenAI.API.Key.Anomalous.Activity): the same
 * work as the peer, for a like-for-like figure.
 *
 * @example
 * ```ts
 * const { path } = sameRulePath(corpus.lines);
 * ```
 */
export function sameRulePath(lines: readonly string[]): MeasuredPath {
  return pathOf(new RuleCatalog().register(openAiAuditLogType, [createApiKeyAnomalousActivityRule()]), lines);
}
