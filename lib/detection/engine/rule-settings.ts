import { createRequire } from 'node:module';
import type * as NodeNet from 'node:net';
import { quote } from '../../shared/printable.ts';
import type { Severity } from './severity.ts';

type Net = typeof NodeNet;
let net: Net | undefined;

/**
 * node:net, loaded on first use: it costs a cold start a few milliseconds, and is needed only by a
 * rules configuration with source ranges.
 */
function loadNet(): Net {
  net ??= createRequire(import.meta.url)('node:net') as Net;
  return net;
}

/** Who and where an event comes from, as a log type reads it, for suppressions. */
export interface EventSubject {
  /** Every id of the acting principal: user id, acting key id, resolved actor id. */
  readonly actorIds: readonly string[];
  readonly serviceAccountIds: readonly string[];
  readonly emails: readonly string[];
  readonly sourceIp: string | undefined;
}

/** Matches of a rule that are not alerted, by who or where they come from. */
export interface RuleSuppression {
  /** User ids, acting API key ids or other actor ids, compared exactly. */
  readonly actorIds?: readonly string[];
  /** Actor emails, compared case-insensitively. */
  readonly actorEmails?: readonly string[];
  readonly serviceAccountIds?: readonly string[];
  /** IPv4 or IPv6 CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`) or single addresses. */
  readonly sourceCidrs?: readonly string[];
}

/** What the rules configuration says about one rule. */
export interface RuleSettings {
  readonly enabled?: boolean;
  /** Replaces the severity the rule computes, for every match. */
  readonly severity?: Severity;
  /** Replaces the rule's threshold: matches (or distinct values) in one window before an alert. */
  readonly threshold?: number;
  /** Replaces the rule's dedup period (its window), in minutes. */
  readonly dedupPeriodMinutes?: number;
  readonly suppress?: RuleSuppression;
}

/** The rules configuration: settings by rule id. */
export type RulesSettings = Readonly<Record<string, RuleSettings>>;

/** A suppression prepared for matching. */
export interface CompiledSuppression {
  /** Why the subject is suppressed, or `undefined`. */
  reasonFor(subject: EventSubject): string | undefined;
}

/**
 * Parses one CIDR (or a bare address, a /32 or /128) into `[address, prefix, family]`, or returns
 * why it is not one.
 *
 * @example
 * ```ts
 * parseCidr('10.0.0.0/8'); // ['10.0.0.0', 8, 'ipv4']
 * parseCidr('10.0.0.0/33'); // 'prefix must be 0-32 for IPv4, got 33'
 * ```
 */
export function parseCidr(text: string): [string, number, 'ipv4' | 'ipv6'] | string {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return 'expected ADDRESS or ADDRESS/PREFIX';
  const version = loadNet().isIP(address);
  if (version === 0) return `not an IPv4 or IPv6 address: ${quote(address, 60)}`;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return [address, max, family];
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return `prefix must be 0-${max} for IPv${version}, got ${quote(prefixText, 10)}`;
  }
  return [address, Number(prefixText), family];
}

/**
 * Prepares a suppression. CIDRs must be valid (the configuration parser checks them first).
 *
 * @example
 * ```ts
 * const s = compileSuppression({ sourceCidrs: ['10.0.0.0/8'] });
 * s.reasonFor({ actorIds: [], serviceAccountIds: [], emails: [], sourceIp: '10.1.2.3' }); // 'source 10.1.2.3 in 10.0.0.0/8'
 * ```
 */
export function compileSuppression(suppression: RuleSuppression): CompiledSuppression {
  const actorIds = new Set(suppression.actorIds ?? []);
  const serviceAccountIds = new Set(suppression.serviceAccountIds ?? []);
  const emails = new Set((suppression.actorEmails ?? []).map((email) => email.toLowerCase()));
  const ranges: Array<{ cidr: string; list: InstanceType<Net['BlockList']> }> = [];
  for (const cidr of suppression.sourceCidrs ?? []) {
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') throw new RangeError(`${cidr}: ${parsed}`);
    const list = new (loadNet().BlockList)();
    list.addSubnet(parsed[0], parsed[1], parsed[2]);
    ranges.push({ cidr, list });
  }
  return {
    reasonFor(subject) {
      for (const id of subject.actorIds) if (actorIds.has(id)) return `actor id ${id} is suppressed`;
      for (const id of subject.serviceAccountIds)
        if (serviceAccountIds.has(id)) return `service account ${id} is suppressed`;
      for (const email of subject.emails)
        if (emails.has(email.toLowerCase())) return `actor email ${email} is suppressed`;
      const ip = subject.sourceIp;
      if (ip !== undefined && ranges.length > 0) {
        const version = loadNet().isIP(ip);
        if (version !== 0) {
          const family = version === 4 ? 'ipv4' : 'ipv6';
          for (const { cidr, list } of ranges)
            if (list.check(ip, family)) return `source ${ip} is in suppressed range ${cidr}`;
        }
      }
      return undefined;
    },
  };
}
