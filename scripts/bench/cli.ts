// The evaluate command as a user runs it (bin/openai-audit-alerts.js, a process per run): its
// start-up on one event over bare Node, and streaming a large JSON Lines file (peak memory, and the
// marginal CPU cost of one more event, from two sizes of the same generated stream).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRuleCatalog } from '../../lib/detection/rules/create-rule-catalog.ts';
import { API_KEY_ANOMALOUS_ACTIVITY_RULE_ID } from '../../lib/detection/rules/openai/api-key-anomalous-activity.ts';
import { runNode } from './child-usage.ts';
import { generateEventsToFile } from './corpus.ts';
import { figure, log, type Figure } from './stats.ts';

const root = join(import.meta.dirname, '../..');
/** The CLI as a user runs it. */
export const BIN = join(root, 'bin/openai-audit-alerts.js');
const ONE_EVENT = join(root, 'examples/test-event.json');

/** The evaluate figures. */
export interface CliFigures {
  /** Wall time of `evaluate` of one event, minus that of `node -e 0`, paired per round. */
  readonly evaluateOneEventMs: Figure;
  /** The same in CPU time. */
  readonly evaluateOneEventCpuMs: Figure;
  /** Peak resident memory of `evaluate` over the large file. */
  readonly evaluateRssMb: Figure;
  /** CPU microseconds per event between the small and the large file, paired per round. */
  readonly evaluateMarginalUs: Figure;
  /** The same two, with only the rule the peer runs enabled (the rules configuration disables the others). */
  readonly evaluateSameRuleRssMb: Figure;
  readonly evaluateSameRuleMarginalUs: Figure;
  readonly lines: { readonly small: number; readonly large: number };
}

/** The bench's environment without Node options or rules configuration. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.RULES_CONFIG;
  delete env.RULES_CONFIG_FILE;
  return env;
}

/** A rules configuration that disables every rule of the catalog but the one the peer runs. */
export function sameRuleConfig(): string {
  const rules: Record<string, { enabled: false }> = {};
  for (const rule of createRuleCatalog().knownRules)
    if (rule.id !== API_KEY_ANOMALOUS_ACTIVITY_RULE_ID) rules[rule.id] = { enabled: false };
  return JSON.stringify({ rules });
}

/**
 * Measures the evaluate command: `startRounds` paired start-ups, then `streamRounds` runs over
 * generated files of `small` and `large` lines.
 *
 * @example
 * ```ts
 * const figures = measureCli({ startRounds: 15, streamRounds: 3, small: 100_000, large: 1_000_000 });
 * ```
 */
export function measureCli(sizes: {
  startRounds: number;
  streamRounds: number;
  small: number;
  large: number;
}): CliFigures {
  const env = cleanEnv();
  const sameRuleEnv = { ...env, RULES_CONFIG: sameRuleConfig() };
  const evaluate = (file: string, runEnv: NodeJS.ProcessEnv = env) =>
    runNode([BIN, 'evaluate', file], { env: runEnv, cwd: root });
  evaluate(ONE_EVENT); // warm-up (and whatever the first run prepares)
  const startWall: number[] = [];
  const startCpu: number[] = [];
  for (let round = 0; round < sizes.startRounds; round++) {
    const first = round % 2 === 0;
    const bare1 = first ? runNode(['-e', '0'], { env }) : undefined;
    const run = evaluate(ONE_EVENT);
    const bare = bare1 ?? runNode(['-e', '0'], { env });
    startWall.push(run.wallMs - bare.wallMs);
    startCpu.push(run.cpuMs - bare.cpuMs);
  }

  const dir = join(root, '.bench');
  mkdirSync(dir, { recursive: true });
  const files = { small: join(dir, `events-${sizes.small}.jsonl`), large: join(dir, `events-${sizes.large}.jsonl`) };
  log(`  generating ${sizes.small} and ${sizes.large} events...`);
  generateEventsToFile([String(sizes.small), '10', 'raw'], files.small);
  generateEventsToFile([String(sizes.large), '10', 'raw'], files.large);
  const rss: number[] = [];
  const marginal: number[] = [];
  const sameRuleRss: number[] = [];
  const sameRuleMarginal: number[] = [];
  for (let round = 0; round < sizes.streamRounds; round++) {
    log(`  streaming round ${round + 1} of ${sizes.streamRounds}...`);
    const order = round % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
    for (const [runEnv, rssOut, marginalOut] of [
      [env, rss, marginal],
      [sameRuleEnv, sameRuleRss, sameRuleMarginal],
    ] as const) {
      const usage: Record<string, { cpuMs: number; maxRssKb: number }> = {};
      for (const size of order) usage[size] = evaluate(files[size], runEnv);
      const small = usage.small ?? { cpuMs: 0, maxRssKb: 0 };
      const large = usage.large ?? { cpuMs: 0, maxRssKb: 0 };
      rssOut.push(large.maxRssKb / 1024);
      marginalOut.push(((large.cpuMs - small.cpuMs) * 1000) / (sizes.large - sizes.small));
    }
  }
  return {
    evaluateOneEventMs: figure(startWall, 1),
    evaluateOneEventCpuMs: figure(startCpu, 1),
    evaluateRssMb: figure(rss, 1),
    evaluateMarginalUs: figure(marginal, 2),
    evaluateSameRuleRssMb: figure(sameRuleRss, 1),
    evaluateSameRuleMarginalUs: figure(sameRuleMarginal, 2),
    lines: { small: sizes.small, large: sizes.large },
  };
}
