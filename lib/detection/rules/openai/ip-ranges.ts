// Address arithmetic for IP allowlists: parses allowlist entries into address ranges and decides
// whether their union covers the whole IPv4 or IPv6 space. Pure BigInt arithmetic, no node:net: an
// allowlist is short, and a sort and one sweep over its ranges is all it takes.

/** Bits of an IPv4 and an IPv6 address. */
const IPV4_BITS = 32;
const IPV6_BITS = 128;

/** `::ffff:0.0.0.0`: the start of the IPv4-mapped IPv6 block `::ffff:0:0/96`. */
const MAPPED_IPV4_BASE = 0xffffn << 32n;
const IPV4_SIZE = 1n << 32n;

/** Entries an allowlist is read for at most (see {@link readAllowlist}). */
export const MAX_ALLOWLIST_ENTRIES = 1000;

/**
 * Characters of one entry, at most: the longest address with a prefix, a full IPv6 address with an
 * IPv4 tail and `/128`, has 49, so longer text is no entry (and is not parsed).
 */
const MAX_ENTRY_LENGTH = 100;

/**
 * Characters read of a token that holds spaces or characters other than visible ASCII, at most:
 * room for an entry padded with thousands of invisible characters, and a bound on the cost of one
 * token (stripping, splitting). A longer token is cut, and the allowlist counts as truncated.
 */
const MAX_UNCLEAN_LENGTH = 4096;

/** Suspicious entries kept for the alert, at most. */
const MAX_SUSPICIOUS = 20;

/** A half-open range `[start, end)` of addresses of one family. */
export interface AddressRange {
  readonly start: bigint;
  readonly end: bigint;
}

/** One parsed allowlist entry: the IPv4 and IPv6 addresses it admits. */
export interface ParsedEntry {
  readonly ipv4: readonly AddressRange[];
  readonly ipv6: readonly AddressRange[];
}

/** What an allowlist admits, as far as its first {@link MAX_ALLOWLIST_ENTRIES} entries tell. */
export interface AllowlistReading {
  /** The entries' ranges (IPv4-mapped IPv6 entries counted as IPv4 too) cover all of IPv4. */
  readonly anyIpv4: boolean;
  /** The entries' IPv6 ranges cover all of IPv6. */
  readonly anyIpv6: boolean;
  /** Entries that parse only once invisible characters are stripped, as read (at most 20). */
  readonly suspicious: readonly string[];
  /**
   * Part of the list was not read: more entries than the cap (the ones past it), or a token too
   * long to read whole (see `MAX_UNCLEAN_LENGTH`).
   */
  readonly truncated: boolean;
}

/**
 * One entry of a string that may hold several: a run of characters other than commas, semicolons,
 * ASCII spaces, tabs and newlines, with spaces or tabs allowed around a `/` (`10.0.0.0 / 8`).
 */
const ENTRY = /[^ \t\r\n,;]+(?:[ \t]*\/[ \t]*[^ \t\r\n,;]*)*/g;
const SPACE_OR_TAB = /[ \t]+/g;
/** An entry of visible ASCII only: the usual case, parsed as it is. */
const PLAIN = /^[\x21-\x7e]+$/;
/**
 * Invisible characters: controls, format characters (zero-width space, joiners, BOM, bidi marks,
 * soft hyphen, word joiner, tags), non-ASCII spaces and separators (NBSP, en/em spaces, ideographic
 * space, line and paragraph separators), and letters or marks that render as nothing (combining
 * grapheme joiner, Hangul fillers, Khmer inherent vowels, variation selectors). The marks are
 * alternatives, not class members: in a class they would read as combined with the character
 * before them.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\u115f\u1160\u3164\uffa0]|\u034f|\u17b4|\u17b5|\p{Variation_Selector}/gu;

/**
 * An entry with each invisible character spelled as a `\uXXXX` (or `\u{XXXXX}`) escape, for an alert.
 *
 * @example
 * ```ts
 * showInvisible('0.0.0.0/0\u00a0'); // '0.0.0.0/0\\u00a0'
 * ```
 */
export function showInvisible(entry: string): string {
  return entry.replace(INVISIBLE, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const OCTET = /^\d{1,3}$/;
const HEXTET = /^[0-9a-f]{1,4}$/i;
const PREFIX = /^\d{1,8}$/;

/**
 * An IPv4 address in dotted-quad form as a number, or `undefined`. Octets with leading zeros are
 * read as decimal (`010.0.0.0` is 10.0.0.0), never as octal.
 *
 * @example
 * ```ts
 * parseIpv4('10.0.0.1'); // 167772161n
 * parseIpv4('10.0.0');   // undefined
 * ```
 */
export function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** The 16-bit groups of one side of `::`, the last possibly a dotted IPv4 address (two groups). */
function hextets(text: string, ipv4Last: boolean): bigint[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: bigint[] = [];
  for (const [i, part] of parts.entries()) {
    if (ipv4Last && i === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === undefined) return undefined;
      groups.push(ipv4 >> 16n, ipv4 & 0xffffn);
    } else if (HEXTET.test(part)) {
      groups.push(BigInt(Number.parseInt(part, 16)));
    } else {
      return undefined;
    }
  }
  return groups;
}

/**
 * An IPv6 address (RFC 4291 text forms: `::` compression, a dotted IPv4 tail, a `%zone` suffix,
 * which is ignored) as a number, or `undefined`.
 *
 * @example
 * ```ts
 * parseIpv6('::ffff:0.0.0.0');   // 281470681743360n
 * parseIpv6('0:0:0:0:0:0:0:0');  // 0n
 * parseIpv6('1::2::3');          // undefined
 * ```
 */
export function parseIpv6(text: string): bigint | undefined {
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  if (zone !== -1 && zone === text.length - 1) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = hextets(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? hextets(halves[1] ?? '', true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const given = head.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...head, ...Array<bigint>(8 - given).fill(0n), ...tail];
  return groups.reduce((value, group) => (value << 16n) | group, 0n);
}

/**
 * The addresses `[start, end)` of the prefix of `network` of length `prefix` in a space of `bits`
 * bits; host bits of `network` are ignored (`1.2.3.4/0` is the whole space).
 *
 * @example
 * ```ts
 * prefixRange(0x80000000n, 1, 32); // { start: 2147483648n, end: 4294967296n }
 * ```
 */
export function prefixRange(network: bigint, prefix: number, bits: number): AddressRange {
  const hostBits = BigInt(bits - prefix);
  const start = (network >> hostBits) << hostBits;
  return { start, end: start + (1n << hostBits) };
}

/**
 * Whether the union of `ranges` covers `[0, size)`: sorts them by start and sweeps once.
 *
 * @example
 * ```ts
 * coversWholeSpace([{ start: 0n, end: 2n }, { start: 2n, end: 4n }], 4n); // true
 * coversWholeSpace([{ start: 0n, end: 2n }, { start: 3n, end: 4n }], 4n); // false
 * ```
 */
export function coversWholeSpace(ranges: readonly AddressRange[], size: bigint): boolean {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let reach = 0n;
  for (const { start, end } of sorted) {
    if (start > reach) return false;
    if (end > reach) reach = end;
    if (reach >= size) return true;
  }
  return reach >= size;
}

/** Whether an IPv6 address is in the IPv4-mapped block `::ffff:0:0/96`. */
function isMappedIpv4(address: bigint): boolean {
  return address >= MAPPED_IPV4_BASE && address < MAPPED_IPV4_BASE + IPV4_SIZE;
}

/** The IPv4 addresses an IPv6 range shares with the IPv4-mapped block `::ffff:0:0/96`. */
function mappedIpv4(range: AddressRange): AddressRange | undefined {
  const start = range.start > MAPPED_IPV4_BASE ? range.start : MAPPED_IPV4_BASE;
  const endOfBlock = MAPPED_IPV4_BASE + IPV4_SIZE;
  const end = range.end < endOfBlock ? range.end : endOfBlock;
  return start < end ? { start: start - MAPPED_IPV4_BASE, end: end - MAPPED_IPV4_BASE } : undefined;
}

const WHOLE_IPV4: AddressRange = { start: 0n, end: IPV4_SIZE };
const WHOLE_IPV6: AddressRange = { start: 0n, end: 1n << 128n };

/**
 * One allowlist entry of at most 100 characters, already free of separators and invisible
 * characters: `ADDRESS/PREFIX` (the prefix may have leading zeros, `/00`), a bare address (a /32 or
 * /128, except the unspecified address `0.0.0.0`, `::` or `::ffff:0.0.0.0`, read as "any" of its
 * family, as many tools do), or `*` or `0/0` (any address of both families). An IPv6 entry whose
 * address is IPv4-mapped (written in `::ffff:0:0/96`, `::ffff:a.b.c.d`) also admits the IPv4
 * addresses its range shares with that block; other IPv6 entries count for IPv6 only, even one that
 * holds the block (`::/1` is half of IPv6, not all of IPv4). `undefined` when the entry is none of
 * these.
 *
 * @example
 * ```ts
 * parseEntry('::ffff:0.0.0.0/96'); // { ipv4: [whole IPv4], ipv6: [::ffff:0:0/96] }
 * parseEntry('10.0.0.0/33');       // undefined
 * ```
 */
export function parseEntry(entry: string): ParsedEntry | undefined {
  if (entry.length > MAX_ENTRY_LENGTH) return undefined;
  if (entry === '*' || entry === '0/0') return { ipv4: [WHOLE_IPV4], ipv6: [WHOLE_IPV6] };
  const slash = entry.indexOf('/');
  const addressText = slash === -1 ? entry : entry.slice(0, slash);
  const prefixText = slash === -1 ? undefined : entry.slice(slash + 1);
  if (prefixText !== undefined && !PREFIX.test(prefixText)) return undefined;
  const ipv4 = addressText.includes(':') ? undefined : parseIpv4(addressText);
  if (ipv4 !== undefined) {
    const prefix = prefixText === undefined ? (ipv4 === 0n ? 0 : IPV4_BITS) : Number(prefixText);
    if (prefix > IPV4_BITS) return undefined;
    return { ipv4: [prefixRange(ipv4, prefix, IPV4_BITS)], ipv6: [] };
  }
  const ipv6 = addressText.includes(':') ? parseIpv6(addressText) : undefined;
  if (ipv6 === undefined) return undefined;
  let prefix: number;
  if (prefixText !== undefined) prefix = Number(prefixText);
  else if (ipv6 === 0n) prefix = 0;
  else if (ipv6 === MAPPED_IPV4_BASE) prefix = 96;
  else prefix = IPV6_BITS;
  if (prefix > IPV6_BITS) return undefined;
  const range = prefixRange(ipv6, prefix, IPV6_BITS);
  const mapped = isMappedIpv4(ipv6) ? mappedIpv4(range) : undefined;
  return { ipv4: mapped === undefined ? [] : [mapped], ipv6: [range] };
}

/** The runs of a token between its invisible characters, found lazily. */
function* piecesOf(token: string): Generator<string> {
  let last = 0;
  for (const match of token.matchAll(INVISIBLE)) {
    if (match.index > last) yield token.slice(last, match.index);
    last = match.index + match[0].length;
  }
  if (last < token.length) yield token.slice(last);
}

/**
 * The entries one token holds: the token itself when it is visible ASCII; else the token with its
 * invisible characters removed, or if that is no entry, the pieces between its invisible
 * characters (`0.0.0.0/0<NBSP>10.0.0.0/8`), read lazily so that the cap bounds them too.
 */
function entriesOf(token: string): { entries: Iterable<string>; unclean: boolean } {
  if (PLAIN.test(token)) return { entries: [token], unclean: false };
  const stripped = token.replace(INVISIBLE, '');
  if (parseEntry(stripped) !== undefined) return { entries: [stripped], unclean: true };
  return { entries: piecesOf(token), unclean: true };
}

/**
 * Reads an allowlist's `allowed_ips` strings: each string may hold several entries (separated by
 * commas, semicolons, spaces, tabs or newlines); entries that are not addresses or ranges are
 * ignored. Reads at most `maxEntries` entries (the rest are not read, and `truncated` says so), so an
 * event costs at most a sort of that many ranges, plus one pass over its strings.
 *
 * @example
 * ```ts
 * readAllowlist(['0.0.0.0/1', '128.0.0.0/1']).anyIpv4; // true
 * readAllowlist(['0.0.0.0/0,10.0.0.0/8']).anyIpv4;     // true
 * readAllowlist(['10.0.0.0/8\u200b']).suspicious;      // ['10.0.0.0/8\u200b']
 * ```
 */
export function readAllowlist(values: readonly string[], maxEntries = MAX_ALLOWLIST_ENTRIES): AllowlistReading {
  const ipv4: AddressRange[] = [];
  const ipv6: AddressRange[] = [];
  const suspicious: string[] = [];
  let read = 0;
  let capped = false;
  let cut = false;
  outer: for (const value of values) {
    for (const match of value.matchAll(ENTRY)) {
      if (read >= maxEntries) {
        capped = true;
        break outer;
      }
      read += 1;
      let token = match[0];
      if (token.length > MAX_UNCLEAN_LENGTH && !PLAIN.test(token)) {
        token = token.slice(0, MAX_UNCLEAN_LENGTH);
        cut = true;
      }
      if (/[ \t]/.test(token)) token = token.replace(SPACE_OR_TAB, '');
      const { entries, unclean } = entriesOf(token);
      let parsedAny = false;
      let first = true;
      for (const entry of entries) {
        // The token counts as one entry read; each further piece of it counts as one more.
        if (!first) {
          if (read >= maxEntries) {
            capped = true;
            break;
          }
          read += 1;
        }
        first = false;
        const parsed = parseEntry(entry);
        if (parsed === undefined) continue;
        parsedAny = true;
        ipv4.push(...parsed.ipv4);
        ipv6.push(...parsed.ipv6);
      }
      if (unclean && parsedAny && suspicious.length < MAX_SUSPICIOUS) suspicious.push(token);
      if (capped) break outer;
    }
  }
  return {
    anyIpv4: coversWholeSpace(ipv4, WHOLE_IPV4.end),
    anyIpv6: coversWholeSpace(ipv6, WHOLE_IPV6.end),
    suspicious,
    truncated: capped || cut,
  };
}
