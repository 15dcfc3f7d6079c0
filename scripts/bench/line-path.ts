// The per-event path of the detect function without its I/O, one SQS message body at a time: the
// intake (envelopes, checks) and every rule of the catalog on each event.
import { OPENAI_AUDIT_LOG_TYPE } from '../../lib/detection/openai/constants.ts';
import { createRuleCatalog } from '../../lib/detection/rules/index.ts';
import { messageContent } from '../../lib/pipeline/intake/message-body.ts';
import { screenBody } from '../../lib/pipeline/intake/screen-body.ts';
import type { LinePath } from './event-path.ts';

/**
 * The path, and the lines it parses in full with `JSON.parse` (its floor).
 *
 * @example
 * ```ts
 * const { path, parsedLines } = detectionPath(corpus.lines);
 * ```
 */
export function detectionPath(lines: readonly string[]): { path: LinePath; parsedLines: readonly string[] } {
  const catalog = createRuleCatalog();
  const screen = catalog.eventTypeScreen(OPENAI_AUDIT_LOG_TYPE);
  const path: LinePath = (line) => {
    const content = messageContent(line, screen);
    if (content.kind !== 'events') return 0;
    let matches = 0;
    for (const { event } of content.events) matches += catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event).matches.length;
    return matches;
  };
  return { path, parsedLines: lines.filter((line) => screenBody(line, screen).kind === 'parse') };
}
