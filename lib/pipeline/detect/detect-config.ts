import type { CorrelationRule, Rule } from '../../detection/engine/rule.ts';
import type { RulesSettings } from '../../detection/engine/rule-settings.ts';
import type { AuditEvent } from '../../detection/openai/audit-event.ts';
import type { ScopePolicy } from '../../detection/rules/openai/scope-policy.ts';
import type { LogLevel } from '../../shared/log-level.ts';

/** Configuration of the detection function, read once at cold start. */
export interface DetectConfig {
  /** `DEDUP_TABLE_NAME`: the DynamoDB dedup table. */
  readonly tableName: string;
  /** `ALERT_TOPIC_ARN`: the SNS topic alerts are published to. */
  readonly topicArn: string;
  /** `DEAD_LETTER_QUEUE_URL`: where permanent failures are kept. */
  readonly deadLetterQueueUrl: string;
  /** `ARCHIVE_BUCKET`: the S3 bucket every event received is archived in (none when not set). */
  readonly archiveBucket?: string;
  /** `ELEVATED_SCOPE_POLICY` or `ELEVATED_SCOPE_POLICY_FILE`; default policy otherwise. */
  readonly scopePolicy: ScopePolicy;
  /** `RULES_CONFIG` or `RULES_CONFIG_FILE`: rules enabled or disabled, severities, suppressions. */
  readonly rules: RulesSettings;
  /** The rules configuration's `orgDomains`: the organization's own email domains (empty when not set). */
  readonly orgDomains: readonly string[];
  /** `RULES_DIR`: detections of your own, from a rules folder (none when not set). */
  readonly ownRules?: ReadonlyArray<Rule<AuditEvent> | CorrelationRule<AuditEvent>>;
  /** `LOG_LEVEL`: DEBUG, INFO (default), WARN or ERROR. */
  readonly logLevel: LogLevel;
  /** `EVENT_CONCURRENCY`: dedup keys handled at once, 1 to 64 (default 8). */
  readonly concurrency: number;
  /**
   * `DEDUP_LEASE_SECONDS`: how long a publisher holds a window when the run has no invocation
   * deadline (local runs), 5 to 900 (default 60). In Lambda the lease follows the invocation's
   * remaining time.
   */
  readonly leaseSeconds: number;
  /** `MAX_RECEIVE_COUNT`: the queue's redrive `maxReceiveCount`, when set (1 to 1000). */
  readonly maxReceiveCount: number | undefined;
  /** `FUNCTION_TIMEOUT_SECONDS`: the function's timeout as deployed, when set. */
  readonly functionTimeoutSeconds: number | undefined;
  /** `QUEUE_VISIBILITY_TIMEOUT_SECONDS`: the queue's visibility timeout as deployed, when set. */
  readonly visibilityTimeoutSeconds: number | undefined;
}
