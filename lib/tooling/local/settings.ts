import { createRequire } from 'node:module';

/** The pipeline settings of `infra/settings.cjs`, the file serverless.yml reads too. */
export interface PipelineSettings {
  readonly service: string;
  readonly detect: {
    readonly timeoutSeconds: number;
    readonly memorySize: number;
    readonly batchSize: number;
    readonly batchingWindowSeconds: number;
    readonly eventConcurrency: number;
    readonly leaseSeconds: number;
  };
  readonly queue: {
    readonly visibilityTimeoutSeconds: number;
    readonly retentionSeconds: number;
    readonly maxReceiveCount: number;
    readonly maximumMessageSizeBytes: number;
  };
  readonly deadLetterQueue: { readonly retentionSeconds: number };
  readonly table: { readonly partitionKey: string; readonly ttlAttribute: string };
  readonly delivery: {
    readonly function: {
      readonly timeoutSeconds: number;
      readonly memorySize: number;
      readonly batchSize: number;
      readonly maximumConcurrency: number;
    };
    readonly queue: {
      readonly visibilityTimeoutSeconds: number;
      readonly retentionSeconds: number;
      readonly maxReceiveCount: number;
    };
    readonly routes: Readonly<Record<'email' | 'pagerDuty' | 'slack' | 'webhook', DeliveryRoute>>;
  };
}

/** How alerts reach one destination: an SNS filter policy on the message attributes. */
export interface DeliveryRoute {
  readonly minSeverity: string;
  readonly severities: readonly string[];
  readonly rules: { readonly include: readonly string[]; readonly exclude: readonly string[] };
  readonly filterPolicy: Readonly<Record<string, readonly unknown[]>>;
}

interface SettingsModule {
  pipelineSettings(params?: Record<string, unknown>): PipelineSettings;
}

/**
 * The deployed stack's settings for the given deploy parameters (defaults when omitted), from the
 * one file that serverless.yml also reads.
 *
 * @example
 * ```ts
 * pipelineSettings().queue.maxReceiveCount; // 5
 * ```
 */
export function pipelineSettings(params: Record<string, unknown> = {}): PipelineSettings {
  const module = createRequire(import.meta.url)('../../../infra/settings.cjs') as SettingsModule;
  return module.pipelineSettings(params);
}
