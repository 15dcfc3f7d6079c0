// One scheduled run over several organizations, with each organization's poll replaced by a stub:
// what is logged and counted, who goes on after whose failure, and what the invocation throws.
import { describe, expect, it } from 'vitest';
import { AdminKeyRejectedError, AuditLogUnavailableError } from '../../../../lib/ingestion/poller/errors.ts';
import { AUDIT_LOG_STREAMS, type AuditLogStream } from '../../../../lib/ingestion/poller/audit-log-stream.ts';
import type { PollResult } from '../../../../lib/ingestion/poller/poll.ts';
import type { PolledOrganization } from '../../../../lib/ingestion/poller/poll-config.ts';
import {
  pollOrganizations,
  type PollMetric,
  type PollTelemetry,
} from '../../../../lib/ingestion/poller/poll-organizations.ts';
import { ConfigError } from '../../../../lib/shared/config-error.ts';

/** Only the organization-scoped stream: the tests of what happens across organizations. */
const ONE: readonly AuditLogStream[] = ['organization'];

function org(id: string): PolledOrganization {
  return { organization: { id, name: id }, adminKeyParameter: `/oaa/${id}`, cursorKey: `ingest-cursor#${id}` };
}

function result(counts: Partial<PollResult>): PollResult {
  return {
    complete: true,
    listed: 0,
    delivered: 0,
    alreadyDelivered: 0,
    redelivered: 0,
    invalid: 0,
    rejected: 0,
    slices: 1,
    highWater: undefined,
    ...counts,
  };
}

function recorder() {
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const metrics: Array<[PollMetric, number]> = [];
  const telemetry: PollTelemetry = {
    log: (level, message, fields) => logs.push({ level, message, fields: { ...fields } }),
    count: (metric, value) => metrics.push([metric, value]),
  };
  return { telemetry, logs, metrics };
}

/** Each organization's poll: its result, or what it throws. */
function polls(outcomes: Record<string, unknown>) {
  const polled: string[] = [];
  const poll = (o: PolledOrganization) =>
    new Promise<PollResult>((resolve) => {
      polled.push(o.organization.id);
      const outcome = outcomes[o.organization.id];
      if (outcome === null || typeof outcome !== 'object' || !('complete' in outcome)) throw outcome;
      resolve(outcome as PollResult);
    });
  return { poll, polled };
}

describe('pollOrganizations', () => {
  it('polls every organization in turn, logs each run and counts the totals', async () => {
    const { telemetry, logs, metrics } = recorder();
    const { poll, polled } = polls({
      'org-a': result({ listed: 5, delivered: 3, rejected: 1, redelivered: 1, highWater: 1_800_000_000 }),
      'org-b': result({ listed: 2, delivered: 2 }),
    });
    const totals = await pollOrganizations({
      organizations: [org('org-a'), org('org-b')],
      streams: ONE,
      poll,
      telemetry,
    });
    expect(polled).toEqual(['org-a', 'org-b']);
    expect(totals).toEqual({ listed: 7, delivered: 5, rejected: 1, redelivered: 1 });
    expect(
      logs.map((l) => [l.level, l.message, l.fields.organization, l.fields.delivered, l.fields.highWater]),
    ).toEqual([
      ['INFO', 'poll finished', 'org-a', 3, 1_800_000_000],
      ['INFO', 'poll finished', 'org-b', 2, null],
    ]);
    expect(metrics).toEqual([
      ['AuditEventsListed', 7],
      ['AuditEventsEnqueued', 5],
      ['AuditEventsDeadLettered', 1],
      ['AuditEventsRedelivered', 1],
    ]);
  });

  it('counts an unusable admin key as an AuthFailure and goes on without failing the invocation', async () => {
    const { telemetry, logs, metrics } = recorder();
    const { poll, polled } = polls({
      'org-refused': new AdminKeyRejectedError(401, 'the SSM parameter /oaa/org-refused'),
      'org-plain': new ConfigError('the SSM parameter /oaa/org-plain is a String, not a SecureString'),
      'org-ok': result({ listed: 1, delivered: 1 }),
    });
    const organizations = [org('org-refused'), org('org-plain'), org('org-ok')];
    await expect(pollOrganizations({ organizations, streams: ONE, poll, telemetry })).resolves.toEqual({
      listed: 1,
      delivered: 1,
      rejected: 0,
      redelivered: 0,
    });
    expect(polled).toEqual(['org-refused', 'org-plain', 'org-ok']);
    const stopped = logs.filter((l) => l.message === 'poll stopped: the admin key is unusable');
    expect(stopped.map((l) => [l.level, l.fields.organization])).toEqual([
      ['ERROR', 'org-refused'],
      ['ERROR', 'org-plain'],
    ]);
    expect(stopped[1]?.fields.error).toBe('the SSM parameter /oaa/org-plain is a String, not a SecureString');
    expect(metrics.filter(([name]) => name === 'AuthFailures')).toEqual([
      ['AuthFailures', 1],
      ['AuthFailures', 1],
    ]);
    expect(metrics.some(([name]) => name === 'PollErrors')).toBe(false);
  });

  it('counts any other failure as a PollError, lets the others run, then throws the first failure', async () => {
    const { telemetry, logs, metrics } = recorder();
    const first = new AuditLogUnavailableError('HTTP 503 five times');
    const { poll, polled } = polls({
      'org-down': first,
      'org-ok': result({ listed: 4, delivered: 4 }),
      'org-odd': 'a thrown string',
    });
    const organizations = [org('org-down'), org('org-ok'), org('org-odd')];
    await expect(pollOrganizations({ organizations, streams: ONE, poll, telemetry })).rejects.toBe(first);
    expect(polled).toEqual(['org-down', 'org-ok', 'org-odd']);
    expect(
      logs.filter((l) => l.level === 'ERROR').map((l) => [l.message, l.fields.organization, l.fields.error]),
    ).toEqual([
      [
        'poll failed; the next run resumes from the cursor',
        'org-down',
        'AuditLogUnavailableError: HTTP 503 five times',
      ],
      ['poll failed; the next run resumes from the cursor', 'org-odd', 'unknown'],
    ]);
    // The totals of the organizations that succeeded are still counted before the throw.
    expect(metrics).toEqual([
      ['PollErrors', 1],
      ['PollErrors', 1],
      ['AuditEventsListed', 4],
      ['AuditEventsEnqueued', 4],
      ['AuditEventsDeadLettered', 0],
      ['AuditEventsRedelivered', 0],
    ]);
  });

  it('throws an Error made from a non-error value when that is the first failure', async () => {
    const { telemetry } = recorder();
    const { poll } = polls({ 'org-odd': 'a thrown string' });
    await expect(pollOrganizations({ organizations: [org('org-odd')], streams: ONE, poll, telemetry })).rejects.toThrow(
      new Error('a thrown string'),
    );
  });

  it('writes the failure on one printable line, cut at 500 characters', async () => {
    const { telemetry, logs } = recorder();
    const { poll } = polls({ 'org-x': new Error(`bad\u001b[31m ${'x'.repeat(1000)}`) });
    await expect(pollOrganizations({ organizations: [org('org-x')], streams: ONE, poll, telemetry })).rejects.toThrow(
      'bad',
    );
    const kept = 500 - 'Error: bad\u001b[31m '.length;
    expect(logs[0]?.fields.error).toBe(`Error: bad\\u001b[31m ${'x'.repeat(kept)}…`);
  });

  it('polls both streams of each organization in turn; a failed stream does not stop the other', async () => {
    const { telemetry, logs, metrics } = recorder();
    const polled: string[] = [];
    const down = new AuditLogUnavailableError('HTTP 400 on tenant_only');
    const poll = (o: PolledOrganization, stream: AuditLogStream) => {
      polled.push(`${o.organization.id}/${stream}`);
      if (o.organization.id === 'org-a' && stream === 'tenant') return Promise.reject(down);
      return Promise.resolve(result({ listed: 2, delivered: 2 }));
    };
    const organizations = [org('org-a'), org('org-b')];
    await expect(pollOrganizations({ organizations, streams: AUDIT_LOG_STREAMS, poll, telemetry })).rejects.toBe(down);
    expect(polled).toEqual(['org-a/organization', 'org-a/tenant', 'org-b/organization', 'org-b/tenant']);
    expect(logs.map((l) => [l.message, l.fields.organization, l.fields.stream])).toEqual([
      ['poll finished', 'org-a', 'organization'],
      ['poll failed; the next run resumes from the cursor', 'org-a', 'tenant'],
      ['poll finished', 'org-b', 'organization'],
      ['poll finished', 'org-b', 'tenant'],
    ]);
    expect(metrics.filter(([name]) => name === 'PollErrors' || name === 'AuditEventsEnqueued')).toEqual([
      ['PollErrors', 1],
      ['AuditEventsEnqueued', 6],
    ]);
  });

  it("skips an organization's other stream when its admin key is unusable: it would be refused too", async () => {
    const { telemetry, metrics } = recorder();
    const polled: string[] = [];
    const poll = (o: PolledOrganization, stream: AuditLogStream) => {
      polled.push(`${o.organization.id}/${stream}`);
      return o.organization.id === 'org-refused'
        ? Promise.reject(new AdminKeyRejectedError(401, 'the SSM parameter /oaa/org-refused'))
        : Promise.resolve(result({}));
    };
    await pollOrganizations({
      organizations: [org('org-refused'), org('org-ok')],
      streams: AUDIT_LOG_STREAMS,
      poll,
      telemetry,
    });
    expect(polled).toEqual(['org-refused/organization', 'org-ok/organization', 'org-ok/tenant']);
    expect(metrics.filter(([name]) => name === 'AuthFailures')).toEqual([['AuthFailures', 1]]);
  });
});
