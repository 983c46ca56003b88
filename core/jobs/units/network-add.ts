import { GanetiError } from '../../errors/index.js';
import type { Network } from '../../config/index.js';
import { AddressPool, checkIpv6Gateway, checkIpv6Network, parseIpv4, parseIpv4Network, rangesOverlap } from '../../network/address-pool.js';
import { lookupNetwork, normalizeMacPrefix } from '../../network/lookup.js';
import { ALL_SET, LogicalUnit, type HookNodes } from '../logical-unit.js';
import type { OpNetworkAdd } from '../opcodes/definitions.js';
import { configData, masterHookNodes } from './group-params.js';
import { networkHookEnv } from './network-common.js';

/**
 * OP_NETWORK_ADD (`gnt-network add`): a new network with its address pool. The network and
 * broadcast addresses, the gateway and `add_reserved_ips` are external reservations; with
 * `conflicts_check` the nodes' primary/secondary addresses and the master IP in the range are
 * reserved too (as Ganeti), and a range overlapping another network's is refused (ours).
 * Everything is checked before the config is written. Hooks: `network-add` on the master.
 */
export class NetworkAddUnit extends LogicalUnit<OpNetworkAdd> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'network-add';
  override readonly hookType = 'NETWORK' as const;
  #macPrefix: string | null = null;
  #pool: AddressPool | null = null;
  #notes: string[] = [];

  override checkArguments(): void {
    const op = this.op;
    if (op.mac_prefix) this.#macPrefix = normalizeMacPrefix(op.mac_prefix);
    parseIpv4Network(op.network);
    if (op.gateway !== null && !parseIpv4(op.gateway)) throw new GanetiError('GNT_NETWORK_INVALID', { field: 'gateway', value: op.gateway, problem: 'is not an IPv4 address' });
    if (op.network6 !== null) checkIpv6Network(op.network6);
    if (op.gateway6 !== null) checkIpv6Gateway(op.gateway6, op.network6);
    for (const t of op.tags) if (t.length > 128 || /\s/.test(t)) throw new GanetiError('GNT_NETWORK_INVALID', { field: 'tags', value: t, problem: 'is not a valid tag (at most 128 characters, no blanks)' });
  }

  override expandNames(): void {
    // every network: the name must stay free and the range unshared until the add is written
    this.neededLocks = this.op.conflicts_check ? { network: ALL_SET, node: ALL_SET } : { network: ALL_SET };
    this.shareLocks = { node: true };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    const op = this.op;
    const existing = lookupNetwork(data, op.network_name);
    if (existing) throw new GanetiError('GNT_NETWORK_EXISTS', { field: 'network_name', name: op.network_name, uuid: existing.uuid });
    const range = parseIpv4Network(op.network);
    if (op.conflicts_check) {
      for (const other of Object.values(data.networks)) {
        let theirs;
        try {
          theirs = parseIpv4Network(other.network);
        } catch {
          continue; // a stored network outside our limits cannot be compared; Ganeti never checks
        }
        if (rangesOverlap(range, theirs)) throw new GanetiError('GNT_NETWORK_OVERLAP', { field: 'network', network: op.network, other: other.name, otherNetwork: other.network });
      }
    }
    // the pool, built now so a bad gateway or reserved address fails before anything is written
    const pool = AddressPool.initialize({ name: op.network_name, network: op.network, gateway: op.gateway });
    if (op.conflicts_check) {
      for (const node of Object.values(data.nodes)) {
        for (const ip of new Set([node.primary_ip, node.secondary_ip])) {
          if (ip && pool.contains(ip) && !pool.isReserved(ip, { external: true })) {
            pool.reserve(ip, { external: true });
            this.#notes.push(`Reserved IP address of node '${node.name}' (${ip})`);
          }
        }
      }
      const master = data.cluster.master_ip;
      if (master && pool.contains(master) && !pool.isReserved(master, { external: true })) {
        pool.reserve(master, { external: true });
        this.#notes.push(`Reserved cluster master IP address (${master})`);
      }
    }
    for (const ip of op.add_reserved_ips ?? []) pool.reserve(ip, { external: true, field: 'add_reserved_ips' });
    this.#pool = pool;
  }

  override hooksEnv() {
    const op = this.op;
    return networkHookEnv({ name: op.network_name, network: op.network, gateway: op.gateway, network6: op.network6, gateway6: op.gateway6, mac_prefix: this.#macPrefix, tags: op.tags });
  }

  override hooksNodes(): HookNodes {
    return masterHookNodes(this.ctx.config);
  }

  async exec(): Promise<null> {
    const op = this.op;
    for (const note of this.#notes) this.ctx.feedback(note);
    await this.ctx.config!.update((txn) => {
      if (lookupNetwork(txn.data, op.network_name)) throw new GanetiError('GNT_NETWORK_EXISTS', { field: 'network_name', name: op.network_name, uuid: lookupNetwork(txn.data, op.network_name)!.uuid });
      const net: Omit<Network, 'uuid' | 'serial_no' | 'ctime' | 'mtime'> = {
        name: op.network_name,
        network: op.network,
        gateway: op.gateway,
        network6: op.network6,
        gateway6: op.gateway6,
        mac_prefix: this.#macPrefix,
        ...this.#pool!.toConfig(),
        tags: [...op.tags],
      };
      txn.add('networks', net);
    });
    return null;
  }
}
