// The allowlist rule's address arithmetic: entry parsing, union coverage (checked against a
// brute-force count on small address spaces and against node:net's BlockList), and the rule's
// severity at the entry cap.
import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRuleCatalog } from '../../../../../lib/detection/rules/create-rule-catalog.ts';
import {
  IP_ALLOWLIST_CHANGES_RULE_ID,
  allowedIps,
} from '../../../../../lib/detection/rules/openai/ip-allowlist-changes.ts';
import {
  MAX_ALLOWLIST_ENTRIES,
  coversWholeSpace,
  parseEntry,
  parseIpv4,
  parseIpv6,
  prefixRange,
  readAllowlist,
  showInvisible,
  type AddressRange,
} from '../../../../../lib/detection/rules/openai/ip-ranges.ts';
import { runRuleTest } from '../../../../../lib/detection/testing/run-test.ts';
import type { RuleTestCase } from '../../../../../lib/detection/testing/test-file.ts';
import type { JsonObject, JsonValue } from '../../../../../lib/shared/json.ts';

const RUNS = 1000;
const catalog = createRuleCatalog();

/** Runs one case through the same path as the YAML tests and fails with its failures. */
function expectCase(test: Omit<RuleTestCase, 'name'>): void {
  const result = runRuleTest(catalog, IP_ALLOWLIST_CHANGES_RULE_ID, { name: 'case', ...test });
  expect(result.failures).toEqual([]);
  expect(result.passed).toBe(true);
}

/** Whether `ranges` cover `[0, 2^bits)`, by marking every address. */
function bruteForceCovers(ranges: readonly AddressRange[], bits: number): boolean {
  const covered = new Array<boolean>(2 ** bits).fill(false);
  for (const { start, end } of ranges) for (let a = Number(start); a < Number(end); a += 1) covered[a] = true;
  return covered.every(Boolean);
}

/** Renders an IPv4 or IPv6 prefix as text (IPv6 uncompressed, hex). */
function cidrText(network: bigint, prefix: number, bits: 32 | 128): string {
  if (bits === 32) {
    const octets = [24n, 16n, 8n, 0n].map((shift) => String((network >> shift) & 0xffn));
    return `${octets.join('.')}/${prefix}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => ((network >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return `${groups.join(':')}/${prefix}`;
}

/** A partition of a `bits`-bit space into prefixes: the whole space, split at random places. */
function partition(bits: number, splits: readonly number[]): Array<[bigint, number]> {
  const pieces: Array<[bigint, number]> = [[0n, 0]];
  for (const choice of splits) {
    const index = choice % pieces.length;
    const [network, prefix] = pieces[index] ?? [0n, 0];
    if (prefix >= bits) continue;
    const half = 1n << BigInt(bits - prefix - 1);
    pieces.splice(index, 1, [network, prefix + 1], [network + half, prefix + 1]);
  }
  return pieces;
}

describe('parseEntry', () => {
  const whole4 = { start: 0n, end: 1n << 32n };
  const whole6 = { start: 0n, end: 1n << 128n };

  it('reads any /0 as the whole space of its family, however the address is spelled', () => {
    for (const entry of ['0.0.0.0/0', '0.0.0.0/00', '0.0.0.0/000', '1.2.3.4/0', '255.255.255.255/0']) {
      expect(parseEntry(entry), entry).toEqual({ ipv4: [whole4], ipv6: [] });
    }
    for (const entry of ['::/0', '::0/0', '0:0:0:0:0:0:0:0/0', '2001:db8::1/0', 'fe80::1%eth0/0']) {
      expect(parseEntry(entry), entry).toEqual({ ipv4: [], ipv6: [whole6] });
    }
    expect(parseEntry('::ffff:0.0.0.0/0')).toEqual({ ipv4: [whole4], ipv6: [whole6] });
    expect(parseEntry('*')).toEqual({ ipv4: [whole4], ipv6: [whole6] });
    expect(parseEntry('0/0')).toEqual({ ipv4: [whole4], ipv6: [whole6] });
  });

  it('reads the IPv4-mapped block as IPv4, only for entries written in it', () => {
    const mapped = { start: 0xffffn << 32n, end: (0xffffn << 32n) + (1n << 32n) };
    expect(parseEntry('::ffff:0.0.0.0/96')).toEqual({ ipv4: [whole4], ipv6: [mapped] });
    expect(parseEntry('::ffff:0:0/96')).toEqual({ ipv4: [whole4], ipv6: [mapped] });
    expect(parseEntry('::ffff:0.0.0.0')).toEqual({ ipv4: [whole4], ipv6: [mapped] });
    expect(parseEntry('::ffff:128.0.0.0/97')?.ipv4).toEqual([{ start: 1n << 31n, end: 1n << 32n }]);
    expect(parseEntry('::ffff:1.2.3.4')?.ipv4).toEqual([{ start: 0x01020304n, end: 0x01020305n }]);
    expect(parseEntry('::ffff:0.0.0.0/95')?.ipv4).toEqual([whole4]);
    expect(parseEntry('::/1')?.ipv4).toEqual([]);
    expect(parseEntry('::/96')?.ipv4).toEqual([]);
  });

  it('reads a bare unspecified address as any address of its family, other bare addresses as one', () => {
    expect(parseEntry('0.0.0.0')).toEqual({ ipv4: [whole4], ipv6: [] });
    expect(parseEntry('::')).toEqual({ ipv4: [], ipv6: [whole6] });
    expect(parseEntry('0.0.0.0/32')).toEqual({ ipv4: [{ start: 0n, end: 1n }], ipv6: [] });
    expect(parseEntry('10.0.0.1')).toEqual({ ipv4: [{ start: 0x0a000001n, end: 0x0a000002n }], ipv6: [] });
    expect(parseEntry('::1')).toEqual({ ipv4: [], ipv6: [{ start: 1n, end: 2n }] });
  });

  it('rejects what is not an address or a range', () => {
    for (const entry of [
      '',
      '0.0.0.0/33',
      '::/129',
      '0.0.0.0/',
      '0.0.0.0/-1',
      '0.0.0.0/0x',
      '0.0.0.0/0/0',
      '10.0.0/8',
      '256.0.0.0/8',
      '1::2::3/64',
      '1:2:3:4:5:6:7:8:9/64',
      '1:2:3:4::5:6:7:8/64',
      '1.2.3.4::/64',
      '::1.2.3.4:5/64',
      'example.com',
      '0x0/0',
      '\u200b0.0.0.0/0',
    ]) {
      expect(parseEntry(entry), JSON.stringify(entry)).toBeUndefined();
    }
  });
});

describe('address parsers', () => {
  it('agree with net.isIP on valid addresses and on near-address garbage', () => {
    const hexish = fc.string({ unit: fc.constantFrom('0', '1', 'f', 'F', ':', '.', '9', '2', '5'), maxLength: 24 });
    // A valid address with one edit: a character removed, or a group, separator or dot inserted.
    const edited = fc
      .tuple(
        fc.oneof(fc.ipV6(), fc.ipV4()),
        fc.nat(),
        fc.constantFrom('', ':', '::', '0:', ':0', '.1', '1.', 'g'),
        fc.nat({ max: 1 }),
      )
      .map(([text, at, insert, remove]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + remove);
      });
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), fc.ipV4(), hexish, edited), (text) => {
        // net.isIP rejects dotted octets with leading zeros; these parsers read them as decimal.
        fc.pre(!/(^|[.:])0\d/.test(text.slice(text.lastIndexOf(':') + 1)));
        expect(parseIpv6(text) !== undefined, text).toBe(isIP(text) === 6);
        expect(parseIpv4(text) !== undefined, text).toBe(isIP(text) === 4);
      }),
      { numRuns: RUNS },
    );
  });

  it('place prefixes where node:net BlockList does', () => {
    const cases = fc.oneof(
      fc.record({
        family: fc.constant(4 as const),
        address: fc.ipV4(),
        probe: fc.ipV4(),
        prefix: fc.integer({ min: 0, max: 32 }),
      }),
      fc.record({
        family: fc.constant(6 as const),
        address: fc.ipV6(),
        probe: fc.ipV6(),
        prefix: fc.integer({ min: 0, max: 128 }),
      }),
    );
    fc.assert(
      fc.property(cases, ({ family, address, probe, prefix }) => {
        const parse = family === 4 ? parseIpv4 : parseIpv6;
        const network = parse(address);
        const point = parse(probe);
        if (network === undefined || point === undefined) throw new Error(`unparsed ${address} or ${probe}`);
        const { start, end } = prefixRange(network, prefix, family === 4 ? 32 : 128);
        const list = new BlockList();
        list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
        expect(start <= point && point < end).toBe(list.check(probe, family === 4 ? 'ipv4' : 'ipv6'));
        // The network itself is always in its own prefix.
        expect(start <= network && network < end).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('coversWholeSpace', () => {
  it('agrees with a brute-force count on spaces of 1 to 8 bits', () => {
    const outcomes = { covered: 0, notCovered: 0 };
    const cases = fc.integer({ min: 1, max: 8 }).chain((bits) =>
      fc.record({
        bits: fc.constant(bits),
        prefixes: fc.array(
          fc.record({
            network: fc.integer({ min: 0, max: 2 ** bits - 1 }),
            // Short prefixes, so that covering and not covering both come up often.
            prefix: fc.integer({ min: 0, max: Math.min(bits, 3) }),
          }),
          { maxLength: 10 },
        ),
      }),
    );
    fc.assert(
      fc.property(cases, ({ bits, prefixes }) => {
        const ranges = prefixes.map(({ network, prefix }) => prefixRange(BigInt(network), prefix, bits));
        const expected = bruteForceCovers(ranges, bits);
        expect(coversWholeSpace(ranges, 1n << BigInt(bits))).toBe(expected);
        outcomes[expected ? 'covered' : 'notCovered'] += 1;
      }),
      { numRuns: RUNS },
    );
    expect(outcomes.covered).toBeGreaterThan(RUNS / 10);
    expect(outcomes.notCovered).toBeGreaterThan(RUNS / 10);
  });

  it('agrees with a brute-force count on arbitrary ranges, overlapping or empty', () => {
    const range = fc
      .tuple(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 64 }))
      .map(([a, b]): AddressRange => ({ start: BigInt(Math.min(a, b)), end: BigInt(Math.max(a, b)) }));
    fc.assert(
      fc.property(fc.array(range, { maxLength: 12 }), (ranges) => {
        expect(coversWholeSpace(ranges, 64n)).toBe(bruteForceCovers(ranges, 6));
      }),
      { numRuns: RUNS },
    );
  });

  it('finds every random partition of IPv4 and IPv6 covering, and no partition missing a piece', () => {
    const cases = fc.record({
      bits: fc.constantFrom(32 as const, 128 as const),
      splits: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
      drop: fc.nat(),
      rotate: fc.nat(),
    });
    fc.assert(
      fc.property(cases, ({ bits, splits, drop, rotate }) => {
        const pieces = partition(bits, splits);
        const texts = pieces.map(([network, prefix]) => cidrText(network, prefix, bits));
        const shift = rotate % texts.length;
        const shuffled = [...texts.slice(shift), ...texts.slice(0, shift)];
        const any = (reading: ReturnType<typeof readAllowlist>) => (bits === 32 ? reading.anyIpv4 : reading.anyIpv6);
        expect(any(readAllowlist(shuffled))).toBe(true);
        if (texts.length > 1) {
          const missing = shuffled.filter((_, i) => i !== drop % shuffled.length);
          expect(any(readAllowlist(missing))).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('readAllowlist', () => {
  const anyAddress = (values: readonly string[]) => {
    const reading = readAllowlist(values);
    return reading.anyIpv4 || reading.anyIpv6;
  };

  it('finds each evasion of the task admitting any address', () => {
    const evasions: string[][] = [
      ['::0/0'],
      ['0:0:0:0:0:0:0:0/0'],
      ['0.0.0.0/00'],
      ['1.2.3.4/0'],
      ['::ffff:0.0.0.0/0'],
      ['0.0.0.0/1', '128.0.0.0/1'],
      ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2'],
      ['::/1', '8000::/1'],
      ['::ffff:0.0.0.0/96'],
      ['::ffff:0.0.0.0/97', '::ffff:128.0.0.0/97'],
      ['0.0.0.0/1', '::ffff:128.0.0.0/97'],
      ['\u200b0.0.0.0/0'],
      ['0.0.0.0/0\u200c'],
      ['0.0.\u200d0.0/0'],
      ['\u00a00.0.0.0/0\u00a0'],
      ['\ufeff::/0'],
      ['0.0.0.0/\u20600'],
      ['0.0.0.0/0,10.0.0.0/8'],
      ['10.0.0.0/8 0.0.0.0/0'],
      ['10.0.0.0/8;0.0.0.0/0'],
      ['10.0.0.0/8\n0.0.0.0/0'],
      ['10.0.0.0/8, 0.0.0.0/1;\t128.0.0.0/1'],
      ['0.0.0.0/0\u00a010.0.0.0/8'],
      ['0.0.0.0 / 0'],
      ['*'],
      ['0.0.0.0'],
    ];
    for (const values of evasions) expect(anyAddress(values), JSON.stringify(values)).toBe(true);
  });

  it('finds none of the near misses admitting any address', () => {
    const nearMisses: string[][] = [
      ['0.0.0.0/1'],
      ['128.0.0.0/1', '0.0.0.0/2'],
      ['10.0.0.0/8'],
      ['::/1'],
      ['::/2', '8000::/1'],
      ['0.0.0.0/2', '64.0.0.0/2', '192.0.0.0/2'],
      ['::ffff:0.0.0.0/97'],
      ['::/96'],
      ['0.0.0.0/32', '::/128'],
      ['0.0.0.0/33', '::/129', '0.0.0.0/'],
      ['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/3', '224.0.0.0/4'],
      ['\uff10.\uff10.\uff10.\uff10/\uff10'],
      [],
    ];
    for (const values of nearMisses) expect(anyAddress(values), JSON.stringify(values)).toBe(false);
  });

  it('reports entries that parse only once invisible characters are stripped', () => {
    expect(readAllowlist(['10.0.0.0/8', '203.0.113.0/24\u200b', ' 198.51.100.0/24 ']).suspicious).toEqual([
      '203.0.113.0/24\u200b',
    ]);
    expect(readAllowlist(['not-an-ip\u200b', '\u200b']).suspicious).toEqual([]);
    expect(readAllowlist(['0.0.0.0/0\u00a010.0.0.0/8']).suspicious).toEqual(['0.0.0.0/0\u00a010.0.0.0/8']);
    const many = Array.from({ length: 50 }, (_, i) => `10.0.${i}.0/24\u200b`);
    expect(readAllowlist(many).suspicious).toHaveLength(20);
  });

  it('reads at most the cap of entries, across strings, and says when it stopped', () => {
    expect(MAX_ALLOWLIST_ENTRIES).toBe(1000);
    const atCap = Array.from({ length: MAX_ALLOWLIST_ENTRIES - 1 }, () => '10.0.0.0/8');
    expect(readAllowlist([...atCap, '0.0.0.0/0'])).toMatchObject({ anyIpv4: true, truncated: false });
    expect(readAllowlist([...atCap, '10.0.0.0/8', '0.0.0.0/0'])).toMatchObject({ anyIpv4: false, truncated: true });
    expect(readAllowlist([`${'10.0.0.0/8,'.repeat(MAX_ALLOWLIST_ENTRIES)}0.0.0.0/0`]).truncated).toBe(true);
    expect(readAllowlist(['1.0.0.0/8', '0.0.0.0/0'], 1)).toMatchObject({ anyIpv4: false, truncated: true });
    expect(readAllowlist(['1.0.0.0/8', '0.0.0.0/0'], 2)).toMatchObject({ anyIpv4: true, truncated: false });
  });

  it('counts the pieces of an entry split by invisible characters toward the cap', () => {
    const joined = ['10.0.0.0/8', '11.0.0.0/8', '0.0.0.0/0'].join('\u00a0');
    expect(readAllowlist([joined], 2)).toMatchObject({ anyIpv4: false, truncated: true });
    expect(readAllowlist([joined], 3)).toMatchObject({ anyIpv4: true, truncated: false });
    expect(readAllowlist(['1.0.0.0/8', joined], 3)).toMatchObject({ anyIpv4: false, truncated: true });
  });

  it('reads at most 4,096 characters of a token with spaces or non-ASCII, and says when it cut one', () => {
    const padded = (n: number) => `0.0.0.0/0${'\u200b'.repeat(n)}`;
    expect(readAllowlist([padded(4000)])).toMatchObject({ anyIpv4: true, truncated: false });
    expect(readAllowlist([padded(5000)])).toMatchObject({ anyIpv4: true, truncated: true });
    expect(readAllowlist([`${'\u200b'.repeat(5000)}0.0.0.0/0`])).toMatchObject({ anyIpv4: false, truncated: true });
    // A long token of visible ASCII is no entry, and is not cut.
    expect(readAllowlist(['x'.repeat(100_000), '10.0.0.0/8'])).toMatchObject({ anyIpv4: false, truncated: false });
  });

  it('keeps spaces around a slash inside one entry', () => {
    expect(readAllowlist(['10.0.0.0/8, 1.2.3.4 / 0']).anyIpv4).toBe(true);
    expect(readAllowlist(['1.2.3.4\t/0']).anyIpv4).toBe(true);
    expect(readAllowlist(['10.0.0.0 /8 0.0.0.0/1']).anyIpv4).toBe(false);
  });

  it('shows invisible characters as escapes', () => {
    expect(showInvisible('\ufeff0.0.0.0/0\u00a0')).toBe('\\ufeff0.0.0.0/0\\u00a0');
    expect(showInvisible('10.0.0.0/8\u{e0041}')).toBe('10.0.0.0/8\\u{e0041}');
    expect(showInvisible('10.0.0.0/8')).toBe('10.0.0.0/8');
  });
});

describe('OpenAI.IP.Allowlist.Changes severity', () => {
  const created = (allowed: JsonValue): JsonObject => ({
    id: 'audit_log-cap',
    type: 'ip_allowlist.created',
    'ip_allowlist.created': { id: 'ipallow_1', name: 'Big', allowed_ips: allowed },
  });

  it('reads allowed_ips as given, strings only', () => {
    expect(allowedIps({ allowed_ips: ['0.0.0.0/1', 7, null, '128.0.0.0/1'] })).toMatchObject({
      ips: ['0.0.0.0/1', '128.0.0.0/1'],
      allowsAny: true,
      anyIpv4: true,
      anyIpv6: false,
    });
    expect(allowedIps({ allowed_ips: '::/1 8000::/1' })).toMatchObject({ allowsAny: true, anyIpv6: true });
    expect(allowedIps({})).toMatchObject({ ips: [], allowsAny: false, truncated: false });
  });

  it('rates a list longer than the cap at least HIGH, an allow-any entry past it unseen', () => {
    const entries = [
      ...Array.from({ length: MAX_ALLOWLIST_ENTRIES }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`),
      '0.0.0.0/0',
    ];
    expectCase({
      expectedResult: true,
      log: created(entries),
      expectedSeverity: 'HIGH',
      expectedAlertContext: { allowed_ips_truncated: true },
    });
    expectCase({ expectedResult: true, log: created(entries.slice(1)), expectedSeverity: 'CRITICAL' });
  });

  it('keeps a deletion CRITICAL and a creation LOW without allow-any, hidden or excess entries', () => {
    expectCase({ expectedResult: true, log: created(['10.0.0.0/8', '::/1']), expectedSeverity: 'LOW' });
    expectCase({
      expectedResult: true,
      log: {
        id: 'audit_log-del',
        type: 'ip_allowlist.deleted',
        ip_allowlist_deleted: { allowed_ips: ['10.0.0.0/8\u200b'] },
      },
      expectedSeverity: 'CRITICAL',
      expectedAlertContext: { suspicious_allowed_ips: ['10.0.0.0/8\\u200b'] },
    });
  });
});
