// Property of the whole batch handler over the emulators (real SDK clients, the rules as deployed):
// whatever the other records of a batch hold (nesting too deep to write as JSON, huge values, lone
// surrogates and noncharacters, non-events, bodies that are not JSON), no record is failed, every
// valid elevated-key event alerts, a record of valid events only sends nothing to the DLQ, and each
// record with bad data has its own letters, with a reason, and no other record's.
import fc from 'fast-check';
import { emulatorDependencies } from '../support/emulator-dependencies.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditEventProblem } from '../../lib/detection/openai/extract-events.ts';
import { createRuleCatalog } from '../../lib/detection/rules/create-rule-catalog.ts';
import { processBatch } from '../../lib/pipeline/detect/process-batch.ts';
import { createPipelineResources, drain, receivedAlerts, type PipelineResources } from '../support/aws-resources.ts';
import { recordingTelemetry } from '../support/recording-telemetry.ts';
import { benign, keyEvent } from '../integration/events.ts';

// Each case is a whole batch over the emulators (about half a second), far slower than a pure
// property: one batch per 250 of PROPERTY_RUNS, at least 20. npm test runs 20 batches; npm run
// test:reliability (PROPERTY_RUNS=100,000) runs 400.
const RUNS = Math.max(20, Math.round(Number(process.env.PROPERTY_RUNS ?? 1000) / 250));

/** JSON text nested `depth` levels: past a few thousand, JSON.stringify overflows; JSON.parse does not. */
const nested = (depth: number, shape: 'array' | 'object') =>
  shape === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
/**
 * Any UTF-16 code units but surrogate pairs: lone surrogates (written as JSON escapes), U+FFFE,
 * U+FFFF, controls, bidi. fauxqs refuses every character past U+FFFF, which SQS accepts (an emoji
 * in a dead letter would fail on the emulator only), so none is generated.
 */
const units = (maxLength: number) =>
  fc.string({ unit: anyUnit, maxLength }).filter((text) => !/[\ud800-\udbff][\udc00-\udfff]/.test(text));
const hostileText = fc.oneof(
  units(40),
  fc.constantFrom('\ud800', '\udfff', 'a\ud83d', '\uffff\ufffe', '\u0000\u202e', 'sk-proj-0123456789abcdefghij'),
);

/**
 * A JSON value, described small (a counterexample prints its description, not 40,000 brackets):
 * nested `depth` levels deep, a string of `huge` characters, or any text.
 */
type Value =
  { readonly deep: number; readonly shape: 'array' | 'object' } | { readonly huge: number } | { readonly text: string };

const deep = fc.record({
  deep: fc.constantFrom(3, 5_000, 20_000, 60_000),
  shape: fc.constantFrom('array' as const, 'object' as const),
});
const huge = fc.record({ huge: fc.constantFrom(1_000, 100_000, 300_000) });
// Deep nesting weighs most: it is what a letter cannot write, and cheap to generate.
const value: fc.Arbitrary<Value> = fc.oneof(
  { arbitrary: deep, weight: 3 },
  { arbitrary: huge, weight: 1 },
  { arbitrary: fc.record({ text: hostileText }), weight: 1 },
);

function json(v: Value): string {
  if ('deep' in v) return nested(v.deep, v.shape);
  if ('huge' in v) return JSON.stringify('x'.repeat(v.huge));
  return JSON.stringify(v.text);
}

/** An item of a body, as a plan: ids are given when the batch is built, fresh for every case. */
type Item =
  | { readonly kind: 'key' | 'benign'; readonly extra: Value | undefined; readonly agent: string | undefined }
  | { readonly kind: 'bad'; readonly value: Value }
  | { readonly kind: 'bad'; readonly json: string };

const item: fc.Arbitrary<Item> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('key' as const, 'benign' as const),
      extra: fc.option(value, { nil: undefined }),
      agent: fc.option(hostileText, { nil: undefined }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('bad' as const), value }), weight: 2 },
  fc.record({
    kind: fc.constant('bad' as const),
    json: fc.oneof(
      fc
        .jsonValue({ maxDepth: 3 })
        .filter((v) => auditEventProblem(v) !== undefined)
        .map((v) => JSON.stringify(v)),
      fc.constantFrom('{"id":7,"type":"api_key.created"}', '{"id":"","type":"x"}', '{"type":"api_key.created"}'),
      hostileText.map((text) => JSON.stringify({ id: text })),
    ),
  }),
);

/** A record: items in some wrapping, or a body that is not JSON (or holds no event) at all. */
type Plan =
  | { readonly wrap: 'bare' | 'array' | 'list' | 'sns' | 'eventbridge'; readonly items: readonly Item[] }
  | { readonly wrap: 'text'; readonly text: string }
  | { readonly wrap: 'unclosed'; readonly value: Value };

// Bodies of several items weigh most: where good and bad data share a record.
const plan: fc.Arbitrary<Plan> = fc.oneof(
  fc.record({ wrap: fc.constant('bare' as const), items: fc.tuple(item) }),
  {
    arbitrary: fc.record({
      wrap: fc.constantFrom('array' as const, 'list' as const, 'sns' as const, 'eventbridge' as const),
      items: fc.array(item, { minLength: 1, maxLength: 4 }),
    }),
    weight: 4,
  },
  fc.record({
    wrap: fc.constant('text' as const),
    text: fc.oneof(units(60), fc.constantFrom('', '{"id": "broken", ')),
  }),
  fc.record({ wrap: fc.constant('unclosed' as const), value }),
);

/** A batch built from plans: message bodies, and what each record must come to. */
interface Built {
  readonly bodies: string[];
  /** Ids of the elevated-key events of the batch: each must alert. */
  readonly keyIds: string[];
  /** Per record: holds something that is not a valid event (so it must have letters of its own). */
  readonly hasBad: boolean[];
}

let serial = 0;

function itemJson(i: Item, keyIds: string[]): string {
  if (i.kind === 'bad') return 'json' in i ? i.json : json(i.value);
  // Fresh ids and actors in every case: each elevated key opens a window of its own and alerts.
  const id = `${i.kind}-${++serial}`;
  const event: Record<string, unknown> = i.kind === 'key' ? keyEvent(id, `user-${serial}`) : benign(id);
  if (i.kind === 'key') keyIds.push(id);
  // Hostile text where the alert, its email and its subject show it.
  if (i.agent !== undefined) {
    if (i.kind === 'key') (event.actor as { session: { user_agent: string } }).session.user_agent = i.agent;
    else event.user_agent = i.agent;
  }
  const text = JSON.stringify(event);
  return i.extra === undefined ? text : `${text.slice(0, -1)},"extra":${json(i.extra)}}`;
}

function build(plans: readonly Plan[]): Built {
  const keyIds: string[] = [];
  const hasBad: boolean[] = [];
  const bodies = plans.map((p) => {
    if (p.wrap === 'text' || p.wrap === 'unclosed') {
      hasBad.push(true);
      return p.wrap === 'text' ? p.text : `[${json(p.value)}`;
    }
    const items = p.items.map((i) => itemJson(i, keyIds));
    // A bare `[]` is a body of no items: nothing to keep, no letter.
    hasBad.push(p.items.some((i) => i.kind === 'bad') && !(p.wrap === 'bare' && items[0] === '[]'));
    const array = `[${items.join(',')}]`;
    switch (p.wrap) {
      case 'bare':
        return items[0] ?? '';
      case 'array':
        return array;
      case 'list':
        return `{"object":"list","data":${array}}`;
      case 'sns':
        return JSON.stringify({ Type: 'Notification', Message: array });
      case 'eventbridge':
        return `{"detail-type":"OpenAI audit events","detail":${array}}`;
    }
  });
  return { bodies, keyIds, hasBad };
}

describe('batch handler property', () => {
  let resources: PipelineResources;
  beforeAll(async () => {
    resources = await createPipelineResources();
  });

  it('never fails a record, alerts on every valid elevated-key event, and keeps each bad record in letters of its own', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(plan, { minLength: 1, maxLength: 8 }), async (plans) => {
        const recorder = recordingTelemetry();
        const deps = emulatorDependencies(resources, {
          catalog: createRuleCatalog(),
          telemetry: recorder.telemetry,
          maxReceiveCount: 5,
        });
        const { bodies, keyIds, hasBad } = build(plans);
        const ids = bodies.map((_, i) => `m${i}`);
        const result = await processBatch(
          bodies.map((body, i) => ({ messageId: ids[i] ?? '', body })),
          deps,
        );
        expect(result).toEqual({ batchItemFailures: [] });
        expect(recorder.logs.filter((l) => l.level === 'ERROR')).toEqual([]);
        const alerted = (await receivedAlerts(resources.subscriberUrl)).map((a) => String(a.alert.eventId));
        expect(alerted.filter((id) => keyIds.includes(id)).sort()).toEqual([...keyIds].sort());
        const letters = await drain(resources.dlqUrl);
        expect(recorder.count('DeadLettered')).toBe(letters.length);
        const sources = letters.map((m) => m.MessageAttributes?.source_message_id?.StringValue);
        ids.forEach((id, i) => expect(sources.includes(id)).toBe(hasBad[i]));
        for (const letter of letters) {
          const attributes = letter.MessageAttributes ?? {};
          expect(attributes.failure_reason?.StringValue).not.toBe('');
          // A letter that could not hold its data as JSON holds its record's body, whole (as SQS
          // stores it: U+FFFE and U+FFFF as their escapes), unless the DLQ had to cut it.
          if (!attributes.failure_reason?.StringValue?.startsWith('kept as received')) continue;
          if (attributes.truncated?.StringValue !== 'false') continue;
          const received = bodies[ids.indexOf(attributes.source_message_id?.StringValue ?? '')] ?? '';
          expect(letter.Body).toBe(received.replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
