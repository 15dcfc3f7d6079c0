import type { CorrelationStep } from './correlation.ts';
import type { RuleKind } from './rule.ts';

/** What a rules configuration is checked against, for each registered rule (`catalog.knownRules`). */
export interface KnownRule {
  readonly id: string;
  readonly kind: RuleKind;
  /** Whether the rule is enabled by default. */
  readonly enabled: boolean;
  /** For correlation rules: the rules their steps read. */
  readonly steps?: readonly CorrelationStep[];
}
