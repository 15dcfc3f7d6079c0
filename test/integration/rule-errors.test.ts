// Rule bugs in the pipeline: the event a rule could not decide on is kept in the DLQ with the
// reason, the rest of the batch proceeds, and an engine bug retries the batch instead of losing it.
import { describe, expect, it } from 'vitest';
import { emulatorDependencies } from '../support/emulator-dependencies.ts';
import { processBatch } from '../../lib/pipeline/detect/process-batch.ts';
import { RuleCatalog } from '../../lib/detection/engine/catalog.ts';
import type { CorrelationRule } from '../../lib/detection/engine/rule.ts';
import type { LogType } from '../../lib/detection/engine/log-type.ts';
import { openAiAuditLogType } from '../../lib/detection/openai/log-type.ts';
import type { JsonObject } from '../../lib/shared/json.ts';
import { createApiKeyAnomalousActivityRule } from '../../lib/detection/rules/openai/api-key-anomalous-activity.ts';
import { createPipelineResources, drain, receivedAlerts } from '../support/aws-resources.ts';
import { recordingTelemetry } from '../support/recording-telemetry.ts';
import { testRule } from '../support/test-rule.ts';
import { EVENT_TIME, benign, body, keyEvent } from './events.ts';

async function dependencies(catalog: RuleCatalog) {
  const resources = await createPipelineResources();
  const recorder = recordingTelemetry();
  const deps = emulatorDependencies(resources, { catalog, telemetry: recorder.telemetry });
  return { deps, resources, recorder };
}

describe('rule errors in the pipeline', () => {
  it('keeps the event a rule failed on in the DLQ, and still alerts on the rest', async () => {
    const broken = testRule<unknown>('Broken.Login.Rule', {
      eventTypes: ['login.succeeded'],
      match: () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    const catalog = new RuleCatalog().register(openAiAuditLogType, [createApiKeyAnomalousActivityRule(), broken]);
    const { deps, resources, recorder } = await dependencies(catalog);
    const result = await processBatch(
      [
        { messageId: 'm1', body: body([benign('login-1'), keyEvent('key-1', 'user-r')]) },
        { messageId: 'm2', body: body(keyEvent('key-2', 'user-s')) },
      ],
      deps,
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect((await receivedAlerts(resources.subscriberUrl)).map((a) => a.alert.eventId).sort()).toEqual([
      'key-1',
      'key-2',
    ]);
    const letters = await drain(resources.dlqUrl);
    expect(letters).toHaveLength(1);
    expect(JSON.parse(letters[0]?.Body ?? '')).toEqual(benign('login-1'));
    expect(letters[0]?.MessageAttributes?.failure_kind?.StringValue).toBe('rule-error');
    expect(letters[0]?.MessageAttributes?.failure_reason?.StringValue).toBe(
      '[0]: rule Broken.Login.Rule failed in match(): TypeError: cannot read properties of undefined',
    );
    expect(letters[0]?.MessageAttributes?.source_message_id?.StringValue).toBe('m1');
    expect(recorder.count('RuleErrors')).toBe(1);
    expect(recorder.logs.find((l) => l.message === 'rule error')?.fields).toMatchObject({
      ruleId: 'Broken.Login.Rule',
      eventId: 'login-1',
      function: 'match',
    });
  });

  // A stub catalog stands in for a bug in our own code, the one case that retries the whole batch.
  // What an input holds stays with its record, however hostile (data too deep to write as JSON
  // included): see unwritable-data.test.ts and test/property/batch.property.test.ts.
  it('retries every record when processing the batch throws (a bug in our code, not in the input)', async () => {
    const exploding = {
      evaluate: () => {
        throw new Error('engine bug');
      },
    } as unknown as RuleCatalog;
    const { deps, recorder } = await dependencies(exploding);
    const result = await processBatch(
      [
        { messageId: 'a', body: body(benign('1')) },
        { messageId: 'b', body: body(benign('2')) },
      ],
      deps,
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }] });
    expect(recorder.logs.at(-1)).toEqual({
      level: 'ERROR',
      message: 'batch processing failed unexpectedly; every record will be retried',
      fields: { error: 'Error: engine bug' },
    });
  });

  it('keeps an event whose normalisation failed, says "event" for a lone event, and does not dead-letter a failed title', async () => {
    const breaking: LogType<JsonObject> = {
      name: 'Test.Breaking',
      eventTypeOf: (raw) => (raw as { type?: string }).type,
      normalize: (raw) => {
        if ((raw as { id?: string }).id === 'unreadable') throw new RangeError('no shape');
        return raw as JsonObject;
      },
      identify: (event) => ({ eventId: event.id as string, eventType: event.type as string, eventTime: undefined }),
      subject: () => ({ actorIds: [], serviceAccountIds: [], emails: [], sourceIp: undefined }),
    };
    const titled = testRule<JsonObject>('Bad.Title.Rule', {
      title: () => {
        throw new Error('no title');
      },
    });
    const { deps, resources, recorder } = await dependencies(new RuleCatalog().register(breaking, [titled]));
    const result = await processBatch(
      [
        { messageId: 'n1', body: body({ id: 'unreadable', type: 't' }) },
        { messageId: 'n2', body: body({ id: 'readable', type: 't' }) },
      ],
      { ...deps, logType: 'Test.Breaking' },
    );
    expect(result).toEqual({ batchItemFailures: [] });
    const letters = await drain(resources.dlqUrl);
    expect(
      letters.map((m) => [
        m.MessageAttributes?.source_message_id?.StringValue,
        m.MessageAttributes?.failure_reason?.StringValue,
      ]),
    ).toEqual([['n1', 'event: rule Bad.Title.Rule failed in normalize(): RangeError: no shape']]);
    expect((await receivedAlerts(resources.subscriberUrl)).map((a) => [a.alert.eventId, a.alert.title])).toEqual([
      ['readable', 'Bad.Title.Rule'],
    ]);
    expect(
      recorder.logs
        .filter((l) => l.message === 'rule error')
        .map((l) => [l.level, l.fields.function, l.fields.eventId]),
    ).toEqual([
      ['ERROR', 'normalize', ''], // normalisation failed: no event id to give
      ['ERROR', 'title', 'readable'],
    ]);
  });

  it('runs a correlation rule on each finding with the engine semantics: a failed title() or alertContext() is logged and still alerts', async () => {
    const failed = testRule<unknown>('Test.Failed', {
      eventTypes: ['login.failed'],
      createAlert: false,
    });
    const succeeded = testRule<unknown>('Test.Succeeded', {
      eventTypes: ['login.succeeded'],
      createAlert: false,
    });
    const correlation = (id: string, overrides: Partial<CorrelationRule<unknown>>): CorrelationRule<unknown> => ({
      id,
      defaultSeverity: 'LOW',
      kind: 'correlation',
      steps: [
        { id: 'failed', ruleId: 'Test.Failed', minMatchCount: 1 },
        { id: 'succeeded', ruleId: 'Test.Succeeded', minMatchCount: 1 },
      ],
      lookbackMinutes: 60,
      correlationKey: () => 'account-1',
      ...overrides,
    });
    const catalog = new RuleCatalog().register(openAiAuditLogType, [
      failed,
      succeeded,
      correlation('Corr.Context.Throws', {
        alertContext: () => {
          throw new Error('no context');
        },
      }),
      correlation('Corr.Title.Throws', {
        title: () => {
          throw new Error('no title');
        },
      }),
    ]);
    const { deps, resources, recorder } = await dependencies(catalog);
    const result = await processBatch(
      [
        { messageId: 'c1', body: body({ id: 'fail-1', type: 'login.failed', effective_at: EVENT_TIME - 10 }) },
        { messageId: 'c2', body: body(benign('ok-1')) },
      ],
      deps,
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(
      (await receivedAlerts(resources.subscriberUrl))
        .map((a) => [a.alert.ruleId, a.alert.eventId, a.alert.title])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['Corr.Context.Throws', 'ok-1', 'Corr.Context.Throws'],
      ['Corr.Title.Throws', 'ok-1', 'Corr.Title.Throws'], // the display name, as for any rule whose title() fails
    ]);
    expect(await drain(resources.dlqUrl)).toEqual([]); // a finding's rule error keeps no event: the steps are recorded
    expect(recorder.count('CorrelationStepsRecorded')).toBe(4);
    expect(recorder.count('CorrelationsCompleted')).toBe(2);
    expect(recorder.count('RuleErrors')).toBe(2);
    // The two correlations are recorded concurrently (one queue of work each): in rule order here.
    const ruleErrors = recorder.logs.filter((l) => l.message === 'rule error');
    expect(ruleErrors.sort((a, b) => String(a.fields.ruleId).localeCompare(String(b.fields.ruleId)))).toEqual([
      {
        level: 'ERROR',
        message: 'rule error',
        fields: {
          messageId: 'c2',
          ruleId: 'Corr.Context.Throws',
          eventId: 'ok-1',
          function: 'alertContext',
          error: 'Error: no context',
        },
      },
      {
        level: 'ERROR',
        message: 'rule error',
        fields: {
          messageId: 'c2',
          ruleId: 'Corr.Title.Throws',
          eventId: 'ok-1',
          function: 'title',
          error: 'Error: no title',
        },
      },
    ]);
    const completed = recorder.logs.filter((l) => l.message === 'correlation completed');
    expect(completed.sort((a, b) => String(a.fields.ruleId).localeCompare(String(b.fields.ruleId)))).toEqual([
      {
        level: 'INFO',
        message: 'correlation completed',
        fields: { messageId: 'c2', ruleId: 'Corr.Context.Throws', eventId: 'ok-1', triggerEventId: 'ok-1' },
      },
      {
        level: 'INFO',
        message: 'correlation completed',
        fields: { messageId: 'c2', ruleId: 'Corr.Title.Throws', eventId: 'ok-1', triggerEventId: 'ok-1' },
      },
    ]);
  });
});
