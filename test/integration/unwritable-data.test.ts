// Data too deep to write as JSON (JSON.parse accepts 20,000 levels; JSON.stringify overflows the
// stack far sooner) in one record of a batch: each dead letter that would hold it keeps the record's
// body as received instead, says why in its reason, and the other records are processed as usual.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { emulatorDependencies } from '../support/emulator-dependencies.ts';
import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../lib/detection/engine/catalog.ts';
import { openAiAuditLogType } from '../../lib/detection/openai/log-type.ts';
import { createApiKeyAnomalousActivityRule } from '../../lib/detection/rules/openai/api-key-anomalous-activity.ts';
import { createRuleCatalog } from '../../lib/detection/rules/create-rule-catalog.ts';
import { processBatch } from '../../lib/pipeline/detect/process-batch.ts';
import { awsError, injectFaults } from '../reliability/harness/faults.ts';
import { createPipelineResources, drain, receivedAlerts } from '../support/aws-resources.ts';
import { recordingTelemetry } from '../support/recording-telemetry.ts';
import { testRule } from '../support/test-rule.ts';
import { benign, body, keyEvent } from './events.ts';

const RULE = 'OpenAI.API.Key.Anomalous.Activity';
/** JSON text of an array nested 20,000 levels deep: JSON.parse reads it, JSON.stringify cannot write it back. */
const DEEP = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
/** An event's JSON with a member holding {@link DEEP}. */
const withDeep = (event: Record<string, unknown>) => body(event).replace(/}$/, `,"extra":${DEEP}}`);

async function dependencies(
  catalog: RuleCatalog,
  dynamodbFault: (command: string, input: Record<string, unknown>) => Error | undefined = () => undefined,
) {
  const resources = await createPipelineResources();
  const recorder = recordingTelemetry();
  const deps = emulatorDependencies(resources, {
    catalog,
    telemetry: recorder.telemetry,
    dedupClient: injectFaults(new DynamoDBClient({ maxAttempts: 1 }), dynamodbFault),
  });
  return { deps, resources, recorder };
}

const attributesOf = (message: { MessageAttributes?: Record<string, { StringValue?: string }> } | undefined) =>
  Object.fromEntries(
    Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
  );

describe('data too deep to write as JSON', () => {
  it('keeps a record holding a 20,000-deep non-event as received, and alerts on every valid event of the batch', async () => {
    const { deps, resources, recorder } = await dependencies(createRuleCatalog());
    const bad = `[${body(keyEvent('key-beside', 'user-beside'))},${DEEP}]`;
    const result = await processBatch(
      [
        { messageId: 'deep', body: bad },
        { messageId: 'good', body: body(keyEvent('key-good', 'user-good')) },
      ],
      deps,
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect((await receivedAlerts(resources.subscriberUrl)).map((a) => a.alert.eventId).sort()).toEqual([
      'key-beside',
      'key-good',
    ]);
    const letters = await drain(resources.dlqUrl);
    expect(letters.map((m) => [attributesOf(m), m.Body])).toEqual([
      [
        {
          failure_kind: 'not-audit-events',
          failure_reason:
            'kept as received: the data that failed cannot be written as JSON (nested too deep); ' +
            '1 item(s) are not audit events: [1]: expected an audit event object, got array',
          source_message_id: 'deep',
          truncated: 'false',
        },
        bad,
      ],
    ]);
    expect(recorder.count('DeadLettered')).toBe(1);
    expect(recorder.logs.filter((l) => l.level === 'ERROR')).toEqual([]);
  });

  it('keeps an event a rule failed on, too deep to write, as its record was received', async () => {
    const broken = testRule<unknown>('Broken.Login.Rule', {
      eventTypes: ['login.succeeded'],
      match: () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    const catalog = new RuleCatalog().register(openAiAuditLogType, [createApiKeyAnomalousActivityRule(), broken]);
    const { deps, resources } = await dependencies(catalog);
    const bad = withDeep(benign('login-deep'));
    const result = await processBatch(
      [
        { messageId: 'deep', body: bad },
        { messageId: 'good', body: body(keyEvent('key-good', 'user-good')) },
      ],
      deps,
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect((await receivedAlerts(resources.subscriberUrl)).map((a) => a.alert.eventId)).toEqual(['key-good']);
    const letters = await drain(resources.dlqUrl);
    expect(letters.map((m) => [attributesOf(m), m.Body])).toEqual([
      [
        {
          failure_kind: 'rule-error',
          failure_reason:
            'kept as received: the data that failed cannot be written as JSON (nested too deep); ' +
            'event: rule Broken.Login.Rule failed in match(): TypeError: cannot read properties of undefined',
          source_message_id: 'deep',
          truncated: 'false',
        },
        bad,
      ],
    ]);
  });

  it('keeps an event whose delivery failed for good, too deep to write, as its record was received', async () => {
    const { deps, resources } = await dependencies(createRuleCatalog(), (command, input) =>
      command === 'UpdateItemCommand' && JSON.stringify(input).includes('user-deep')
        ? awsError('ValidationException')
        : undefined,
    );
    const bad = withDeep(keyEvent('key-deep', 'user-deep'));
    const result = await processBatch(
      [
        { messageId: 'deep', body: bad },
        { messageId: 'good', body: body(keyEvent('key-good', 'user-good')) },
      ],
      deps,
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect((await receivedAlerts(resources.subscriberUrl)).map((a) => a.alert.eventId)).toEqual(['key-good']);
    const letters = await drain(resources.dlqUrl);
    expect(letters.map((m) => [attributesOf(m), m.Body])).toEqual([
      [
        {
          failure_kind: 'permanent-error',
          failure_reason:
            'kept as received: the data that failed cannot be written as JSON (nested too deep); ' +
            `1 event(s) not delivered: rule ${RULE}, event key-deep: ValidationException: injected ValidationException`,
          source_message_id: 'deep',
          truncated: 'false',
        },
        bad,
      ],
    ]);
  });
});
