import ipaddr from 'ipaddr.js';
import { TypedFastBitSet } from 'typedfastbitset';
import { GanetiError } from '../errors/index.js';

/**
 * The IPv4 address pool of a network (Ganeti's lib/network.py AddressPool). A network keeps
 * two bitmaps in the config, one `0`/`1` character per address of its range, index 0 being
 * the network address: `reservations` (addresses instances' NICs use) and `ext_reservations`
 * (addresses reserved from outside: the network and broadcast addresses, the gateway, the
 * nodes' and the master's addresses, `--add-reserved-ips`). An address is free when neither
 * map has it.
 *
 * Address parsing and range math come from ipaddr.js (what fastify's proxy-addr uses); the
 * bitmaps are TypedFastBitSet (Uint32Array words, counts with popcount), so a /16 of 65536
 * addresses is 2048 words and a first-free search is a word scan, not a string walk.
 */

/** Ganeti's limits: a /30 is the smallest pool, a /16 the largest (lib/network.py). */
export const IPV4_NETWORK_MIN_PREFIX = 30;
export const IPV4_NETWORK_MAX_PREFIX = 16;

/** The fields of a config Network the pool reads and writes. */
export interface PoolNetwork {
  readonly name: string;
  readonly network: string;
  readonly gateway?: string | null | undefined;
  readonly reservations?: string | undefined;
  readonly ext_reservations?: string | undefined;
}

/** An IPv4 range: its first address as a 32-bit number and its prefix length. */
export interface Ipv4Range {
  readonly base: number;
  readonly prefix: number;
  readonly size: number;
}

const invalid = (field: string, value: string, problem: string) => new GanetiError('GNT_NETWORK_INVALID', { field, value, problem });

const toNumber = (ip: ipaddr.IPv4): number => ip.octets.reduce((n, o) => n * 256 + o, 0);
const fromNumber = (n: number): string => ipaddr.fromByteArray([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]).toString();

/** A dotted-quad IPv4 address (no shorthand forms such as `10.1`), or null. */
export function parseIpv4(value: string): ipaddr.IPv4 | null {
  return ipaddr.IPv4.isValidFourPartDecimal(value) ? ipaddr.IPv4.parse(value) : null;
}

/**
 * An IPv4 network in CIDR notation, checked as Ganeti does (Python's strict ip_network): a
 * dotted quad, a prefix, no host bits set; then the pool limits (/16 to /30).
 */
export function parseIpv4Network(value: string, field = 'network'): Ipv4Range {
  if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(value)) throw invalid(field, value, 'is not an IPv4 network in CIDR notation (a.b.c.d/nn)');
  const [addr, prefix] = ipaddr.IPv4.parseCIDR(value);
  const base = toNumber(ipaddr.IPv4.networkAddressFromCIDR(value));
  if (toNumber(addr) !== base) throw invalid(field, value, `has host bits set (the network address is ${fromNumber(base)}/${prefix})`);
  if (prefix > IPV4_NETWORK_MIN_PREFIX) throw invalid(field, value, `is too small: a network needs at least 4 addresses (/${IPV4_NETWORK_MIN_PREFIX})`);
  if (prefix < IPV4_NETWORK_MAX_PREFIX) throw invalid(field, value, `is too big: at most a /${IPV4_NETWORK_MAX_PREFIX} (65536 addresses) is supported`);
  return { base, prefix, size: 2 ** (32 - prefix) };
}

/** An IPv6 network in CIDR notation (`network6`). */
export function checkIpv6Network(value: string, field = 'network6'): void {
  if (!ipaddr.IPv6.isValidCIDR(value)) throw invalid(field, value, 'is not an IPv6 network in CIDR notation');
}

/** An IPv6 gateway: an address in `network6` or a link-local one (Ganeti's Validate). */
export function checkIpv6Gateway(value: string, network6: string | null | undefined, field = 'gateway6'): void {
  if (!ipaddr.IPv6.isValid(value) || value.includes('/')) throw invalid(field, value, 'is not an IPv6 address');
  const gw = ipaddr.IPv6.parse(value);
  if (network6 && gw.range() !== 'linkLocal' && !gw.match(ipaddr.IPv6.parseCIDR(network6))) throw invalid(field, value, `is not in network6 ${network6} (nor link-local)`);
}

/** Whether two IPv4 ranges share an address. */
export const rangesOverlap = (a: Ipv4Range, b: Ipv4Range): boolean => a.base < b.base + b.size && b.base < a.base + a.size;

/** Reads a `0`/`1` map into a bit set; its length must be the range's size. */
function readMap(map: string | undefined, size: number, field: string, name: string): TypedFastBitSet {
  const bits = new TypedFastBitSet();
  bits.resize(size);
  if (!map) return bits;
  if (map.length !== size || /[^01]/.test(map)) throw invalid(field, `${map.slice(0, 16)}${map.length > 16 ? '…' : ''}`, `is not a map of ${size} '0'/'1' characters (network '${name}')`);
  for (let i = map.indexOf('1'); i !== -1; i = map.indexOf('1', i + 1)) bits.add(i);
  return bits;
}

function writeMap(bits: TypedFastBitSet, size: number): string {
  const chars = new Array<string>(size).fill('0');
  bits.forEach((i) => {
    if (i < size) chars[i] = '1';
  });
  return chars.join('');
}

export class AddressPool {
  readonly range: Ipv4Range;
  readonly #name: string;
  readonly #cidr: string;
  readonly #reserved: TypedFastBitSet;
  readonly #external: TypedFastBitSet;

  /** The pool of a stored network (its maps absent: nothing reserved yet). */
  constructor(net: PoolNetwork) {
    this.#name = net.name;
    this.#cidr = net.network;
    this.range = parseIpv4Network(net.network);
    this.#reserved = readMap(net.reservations, this.range.size, 'reservations', net.name);
    this.#external = readMap(net.ext_reservations, this.range.size, 'ext_reservations', net.name);
  }

  /**
   * A new network's pool (Ganeti's InitializeNetwork): the network and broadcast addresses
   * and the gateway are external reservations. The gateway must be in the range.
   */
  static initialize(net: PoolNetwork): AddressPool {
    const pool = new AddressPool({ name: net.name, network: net.network, gateway: net.gateway });
    pool.#external.add(0);
    pool.#external.add(pool.range.size - 1);
    if (net.gateway) pool.reserve(net.gateway, { external: true, field: 'gateway' });
    return pool;
  }

  get size(): number {
    return this.range.size;
  }

  /** Whether `ip` is an IPv4 address in the range (false for anything else, as Ganeti's Contains). */
  contains(ip: string | null | undefined): boolean {
    const addr = ip ? parseIpv4(ip) : null;
    if (!addr) return false;
    const n = toNumber(addr);
    return n >= this.range.base && n < this.range.base + this.range.size;
  }

  #indexOf(ip: string, field: string): number {
    const addr = parseIpv4(ip);
    if (!addr) throw invalid(field, ip, 'is not an IPv4 address');
    const index = toNumber(addr) - this.range.base;
    if (index < 0 || index >= this.range.size) throw new GanetiError('GNT_NETWORK_ADDRESS_OUTSIDE', { field, ip, name: this.#name, network: this.#cidr });
    return index;
  }

  /** Whether `ip` has a reservation of the kind (instance or external). */
  isReserved(ip: string, opts: { external?: boolean; field?: string } = {}): boolean {
    const i = this.#indexOf(ip, opts.field ?? 'ip');
    return (opts.external ? this.#external : this.#reserved).has(i);
  }

  /** Whether `ip` is taken by either kind of reservation. */
  isTaken(ip: string, field = 'ip'): boolean {
    const i = this.#indexOf(ip, field);
    return this.#reserved.has(i) || this.#external.has(i);
  }

  /**
   * Marks `ip` as used. An instance's reservation is refused when the address is taken in
   * either map (Ganeti's ReserveIp with the conflicts check); an external one only when it is
   * already external.
   */
  reserve(ip: string, opts: { external?: boolean; field?: string } = {}): void {
    const field = opts.field ?? 'ip';
    const i = this.#indexOf(ip, field);
    if (this.#external.has(i)) throw new GanetiError('GNT_NETWORK_ADDRESS_TAKEN', { field, ip, name: this.#name, by: 'externally reserved' });
    if (this.#reserved.has(i) && !opts.external) throw new GanetiError('GNT_NETWORK_ADDRESS_TAKEN', { field, ip, name: this.#name, by: 'used by an instance' });
    (opts.external ? this.#external : this.#reserved).add(i);
  }

  /** Drops the reservation of the kind; refused when there is none. */
  release(ip: string, opts: { external?: boolean; field?: string } = {}): void {
    const field = opts.field ?? 'ip';
    const i = this.#indexOf(ip, field);
    const bits = opts.external ? this.#external : this.#reserved;
    if (!bits.has(i)) throw new GanetiError('GNT_NETWORK_ADDRESS_NOT_RESERVED', { field, ip, name: this.#name, by: opts.external ? 'externally reserved' : 'used by an instance' });
    bits.remove(i);
  }

  /** The first free address (Ganeti's GenerateFree), or null when the pool is full. */
  findFree(): string | null {
    const r = this.#reserved.words;
    const e = this.#external.words;
    const words = Math.ceil(this.range.size / 32);
    for (let w = 0; w < words; w++) {
      const free = ~((r[w] ?? 0) | (e[w] ?? 0)) >>> 0;
      if (free !== 0) {
        const index = w * 32 + (31 - Math.clz32(free & -free));
        return index < this.range.size ? fromNumber(this.range.base + index) : null;
      }
    }
    return null;
  }

  /** Reserves the first free address for an instance and returns it (Ganeti's GetFreeAddress). */
  takeFree(field = 'ip'): string {
    const ip = this.findFree();
    if (ip === null) throw new GanetiError('GNT_NETWORK_POOL_FULL', { field, name: this.#name, network: this.#cidr });
    this.reserve(ip, { field });
    return ip;
  }

  get reservedCount(): number {
    return this.#reserved.union_size(this.#external);
  }

  get freeCount(): number {
    return this.range.size - this.reservedCount;
  }

  isFull(): boolean {
    return this.freeCount === 0;
  }

  /** The usage map Ganeti prints: `X` used, `.` free, one character per address. */
  map(): string {
    const all = this.#reserved.new_union(this.#external);
    return writeMap(all, this.range.size).replaceAll('1', 'X').replaceAll('0', '.');
  }

  /** The externally reserved addresses, in order. */
  externalReservations(): string[] {
    return this.#external.array().filter((i) => i < this.range.size).sort((a, b) => a - b).map((i) => fromNumber(this.range.base + i));
  }

  /** The maps as the config stores them. */
  toConfig(): { reservations: string; ext_reservations: string } {
    return { reservations: writeMap(this.#reserved, this.range.size), ext_reservations: writeMap(this.#external, this.range.size) };
  }
}
