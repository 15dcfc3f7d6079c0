import { createRequire } from 'node:module';
import type * as NodeNet from 'node:net';
import { parseCidr } from '../engine/rule-settings.ts';

type Net = typeof NodeNet;
type BlockList = InstanceType<Net['BlockList']>;

let net: Net | undefined;

/**
 * node:net, loaded on first use (as the rules configuration does): it costs a cold start a few
 * milliseconds, and only detections with IP conditions need it.
 */
function loadNet(): Net {
  net ??= createRequire(import.meta.url)('node:net') as Net;
  return net;
}

/**
 * Python's `ipaddress` `is_private` ranges (the language of panther-analysis's helpers): RFC 1918,
 * loopback, link-local, "this network", documentation and benchmarking ranges, reserved and
 * broadcast; for IPv6 also unique-local, link-local, the IPv4-mapped and discard-only ranges.
 */
const PRIVATE_RANGES = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '240.0.0.0/4',
  '255.255.255.255/32',
  '::1/128',
  '::/128',
  '::ffff:0:0/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '2001:10::/28',
  'fc00::/7',
  'fe80::/10',
];

/** Neither private nor public: shared address space (carrier-grade NAT) and multicast. */
const NOT_PUBLIC_RANGES = ['100.64.0.0/10', '224.0.0.0/4', 'ff00::/8'];

/** One block list per family: node's BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules. */
type FamilyLists = Readonly<Record<'ipv4' | 'ipv6', BlockList>>;

let privateLists: FamilyLists | undefined;
let notPublicLists: FamilyLists | undefined;

function blockLists(cidrs: readonly string[]): FamilyLists {
  const lists = { ipv4: new (loadNet().BlockList)(), ipv6: new (loadNet().BlockList)() };
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') throw new RangeError(`${cidr}: ${parsed}`);
    lists[parsed[2]].addSubnet(...parsed);
  }
  return lists;
}

function inLists(lists: FamilyLists, address: string, version: 4 | 6): boolean {
  const kind = family(version);
  return lists[kind].check(address, kind);
}

/**
 * 4 or 6 for an IPv4 or IPv6 address in text, 0 for anything else (non-strings included).
 *
 * @example
 * ```ts
 * ipVersion('203.0.113.7'); // 4
 * ipVersion(42);            // 0
 * ```
 */
export function ipVersion(value: unknown): 0 | 4 | 6 {
  if (typeof value !== 'string') return 0;
  return loadNet().isIP(value) as 0 | 4 | 6;
}

function family(version: 4 | 6): 'ipv4' | 'ipv6' {
  return version === 4 ? 'ipv4' : 'ipv6';
}

/**
 * Whether `value` is an IP address in a private range (see {@link PRIVATE_RANGES}).
 *
 * @example
 * ```ts
 * isPrivateIp('10.1.2.3'); // true
 * isPrivateIp('8.8.8.8');  // false
 * ```
 */
export function isPrivateIp(value: unknown): boolean {
  const version = ipVersion(value);
  if (version === 0) return false;
  privateLists ??= blockLists(PRIVATE_RANGES);
  return inLists(privateLists, value as string, version);
}

/**
 * Whether `value` is a globally routable unicast address: an IP address neither private, nor
 * shared (100.64.0.0/10), nor multicast.
 *
 * @example
 * ```ts
 * isPublicIp('8.8.8.8');     // true
 * isPublicIp('100.64.0.1');  // false
 * ```
 */
export function isPublicIp(value: unknown): boolean {
  const version = ipVersion(value);
  if (version === 0 || isPrivateIp(value)) return false;
  notPublicLists ??= blockLists(NOT_PUBLIC_RANGES);
  return !inLists(notPublicLists, value as string, version);
}

/**
 * Compiles a CIDR (`10.0.0.0/8`, `2001:db8::/32`, or one address) into a membership test of IP
 * addresses in text (anything else is not a member), or returns why it is not a CIDR. An
 * IPv4-mapped IPv6 address is tested as the IPv4 address it maps.
 *
 * @example
 * ```ts
 * const inRange = cidrTest('10.0.0.0/8');
 * if (typeof inRange !== 'string') inRange('10.1.2.3'); // true
 * ```
 */
export function cidrTest(cidr: string): ((value: unknown) => boolean) | string {
  const parsed = parseCidr(cidr);
  if (typeof parsed === 'string') return parsed;
  // One list for both families: an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) is the IPv4 host it
  // maps, in an IPv4 range as the rules configuration's sourceCidrs has it, and the reverse.
  const list = new (loadNet().BlockList)();
  list.addSubnet(...parsed);
  return (value) => {
    const version = ipVersion(value);
    return version !== 0 && list.check(value as string, family(version));
  };
}
