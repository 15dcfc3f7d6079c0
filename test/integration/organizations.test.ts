// Several organizations through the real detection handler over the emulators: the same actor and
// event type in two organizations open two dedup windows and send two alerts, each naming its
// organization; the default organization's alerts are as they always were.
import { beforeEach, describe, expect, it } from 'vitest';
import { readDetectConfig } from '../../lib/config/detect-config.ts';
import { packEvents } from '../../lib/ingestion/packing/pack-events.ts';
import { DEFAULT_ORGANIZATION } from '../../lib/ingestion/packing/organization.ts';
import { createDetectionHandler } from '../../lib/pipeline/detect/create-handler.ts';
import { SILENT_TELEMETRY } from '../../lib/pipeline/detect/telemetry.ts';
import {
  createPipelineResources,
  pollOnce,
  receivedAlerts,
  sendBodies,
  type PipelineResources,
} from '../support/aws-resources.ts';
import { keyEvent } from './events.ts';

let resources: PipelineResources;
let handler: ReturnType<typeof createDetectionHandler>;

beforeEach(async () => {
  resources = await createPipelineResources();
  const config = readDetectConfig({
    DEDUP_TABLE_NAME: resources.tableName,
    ALERT_TOPIC_ARN: resources.topicArn,
    DEAD_LETTER_QUEUE_URL: resources.dlqUrl,
  });
  handler = createDetectionHandler({ config, telemetry: SILENT_TELEMETRY, clock: () => 1_800_000_000 });
});

describe('alerts of several organizations', () => {
  it('never share a dedup window, and name their organization in title, context and dedup key', async () => {
    const acme = { id: 'org-acme', name: 'Acme' };
    const globex = { id: 'org-globex', name: 'Globex' };
    const bodies = [
      ...packEvents([keyEvent('a-1', 'user-x'), keyEvent('a-2', 'user-x')], { organization: acme, source: 'poller' })
        .bodies,
      ...packEvents([keyEvent('g-1', 'user-x')], { organization: globex, source: 'webhook' }).bodies,
      ...packEvents([keyEvent('d-1', 'user-x')], { organization: DEFAULT_ORGANIZATION, source: 'poller' }).bodies,
    ];
    await sendBodies(resources.queueUrl, bodies);
    expect((await pollOnce(resources.queueUrl, handler)).result.batchItemFailures).toEqual([]);
    const alerts = (await receivedAlerts(resources.subscriberUrl))
      .map((a) => a.alert)
      .sort((a, b) => String(a.eventId).localeCompare(String(b.eventId)));
    // a-2 falls in acme's window; g-1 and d-1 open their own although actor and type are the same.
    expect(alerts.map((a) => a.eventId)).toEqual(['a-1', 'd-1', 'g-1']);
    expect(alerts.map((a) => a.dedupKey)).toEqual([
      'org-acme|OpenAI.API.Key.Anomalous.Activity:api_key.created:user:user-x',
      'OpenAI.API.Key.Anomalous.Activity:api_key.created:user:user-x',
      'org-globex|OpenAI.API.Key.Anomalous.Activity:api_key.created:user:user-x',
    ]);
    expect(alerts.map((a) => a.title)).toEqual([
      'Acme: OpenAI API Key with Elevated Scopes: api_key.created by [user-x@example.com]',
      'OpenAI API Key with Elevated Scopes: api_key.created by [user-x@example.com]',
      'Globex: OpenAI API Key with Elevated Scopes: api_key.created by [user-x@example.com]',
    ]);
    expect(alerts.map((a) => a.alertContext.organization)).toEqual([acme, undefined, globex]);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(3);
  });
});
