import { GanetiError } from '../errors/index.js';
import type { ConfigTxn, DeepReadonly, FrozenConfig, Instance, Nic } from '../config/index.js';
import { AddressPool } from './address-pool.js';

/**
 * Instance NICs and the address pools of their networks (Ganeti's LUInstanceCreate and
 * LUInstanceSetParams NIC handling, config.ReserveIp/ReleaseIp/GenerateIp):
 * - a NIC on a network takes its mode, link and vlan from the connection of that network to
 *   the node group of the instance's primary node (refused when not connected);
 * - `ip=pool` takes the network's first free address, `ip=ADDR` reserves ADDR (refused when
 *   outside the range or taken);
 * - a NIC that goes away, changes network or address releases its old address.
 * The units call `planNicAddresses` on a snapshot before changing anything (errors come
 * first) and `commitNicAddresses` inside their config transaction (the reservation and the
 * instance change are written together).
 */

/** Ganeti's NIC_IP_POOL: `ip=pool` asks the network for a free address. */
export const NIC_IP_POOL = 'pool';

export const isPoolIp = (ip: string | null | undefined): boolean => typeof ip === 'string' && ip.toLowerCase() === NIC_IP_POOL;

export interface NicAddressOptions {
  /** UUID of the node group of the instance's primary node. */
  readonly group: string | undefined;
  /** Name of the primary node (messages). */
  readonly node: string;
  /** The instance's NICs before the change (none for a new instance). */
  readonly old?: readonly DeepReadonly<Nic>[];
  /** New instance: a NIC on a network may not set its own mode or link (Ganeti's rule). */
  readonly refuseOwnParams?: boolean;
  readonly feedback?: (message: string) => void;
}

const sameAddress = (a: DeepReadonly<Nic>, b: DeepReadonly<Nic>) => a.uuid === b.uuid && (a.network ?? null) === (b.network ?? null) && (a.ip ?? null) === (b.ip ?? null);

/**
 * Works out the reservations for `nics` (mutated: `ip=pool` becomes the address taken, a
 * NIC newly on a network gets the group's NIC parameters) against `data`. Returns the pools
 * changed, by network UUID.
 */
function allocate(data: FrozenConfig, nics: Nic[], o: NicAddressOptions): Map<string, AddressPool> {
  const pools = new Map<string, AddressPool>();
  const poolOf = (uuid: string) => {
    let p = pools.get(uuid);
    if (!p) {
      p = new AddressPool(data.networks[uuid]!);
      pools.set(uuid, p);
    }
    return p;
  };
  const old = o.old ?? [];
  for (const prev of old) {
    if (!prev.network || !prev.ip || !data.networks[prev.network]) continue;
    if (nics.some((n) => sameAddress(n, prev))) continue;
    const pool = poolOf(prev.network);
    // an address the pool does not hold for an instance (set before the NIC joined the
    // network, or by an older tool) has nothing to release
    if (pool.contains(prev.ip) && pool.isReserved(prev.ip)) pool.release(prev.ip);
  }
  nics.forEach((nic, i) => {
    const prev = old.find((p) => p.uuid === nic.uuid);
    if (prev && sameAddress(nic, prev)) return;
    if (!nic.network) {
      if (isPoolIp(nic.ip)) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `nics[${i}].ip`, problem: 'ip=pool needs the network parameter too' });
      // Ganeti's CheckForConflictingIp: an address of a network the group has belongs on it
      for (const uuid of Object.keys((o.group && data.nodegroups[o.group]?.networks) || {})) {
        const net = data.networks[uuid];
        if (nic.ip && net && new AddressPool({ name: net.name, network: net.network }).contains(nic.ip))
          throw new GanetiError('GNT_NETWORK_IP_CONFLICT', { field: `nics[${i}].ip`, ip: nic.ip, name: net.name, group: data.nodegroups[o.group!]!.name });
      }
      return;
    }
    const net = data.networks[nic.network]!;
    const netparams = o.group ? data.nodegroups[o.group]?.networks[nic.network] : undefined;
    if (!netparams) throw new GanetiError('GNT_NETWORK_NOT_CONNECTED', { field: `nics[${i}].network`, name: net.name, group: (o.group && data.nodegroups[o.group]?.name) || String(o.group), node: o.node });
    if (o.refuseOwnParams) {
      for (const k of ['mode', 'link'] as const)
        if (nic.nicparams[k] !== undefined) throw new GanetiError('GNT_NETWORK_INVALID', { field: `nics[${i}].${k}`, value: String(nic.nicparams[k]), problem: 'cannot be given with a network: the NIC takes the mode and link of the network\'s connection to the node group' });
    }
    if (!prev || prev.network !== nic.network) nic.nicparams = { ...(netparams as Record<string, unknown>) };
    if (!nic.ip) return;
    const pool = poolOf(nic.network);
    if (isPoolIp(nic.ip)) {
      nic.ip = pool.takeFree(`nics[${i}].ip`);
      o.feedback?.(`Chose IP ${nic.ip} from network ${net.name}`);
    } else {
      pool.reserve(nic.ip, { field: `nics[${i}].ip` });
    }
  });
  return pools;
}

/** Checks that `nics` can get their addresses, changing nothing (called before any work). */
export function planNicAddresses(data: FrozenConfig, nics: readonly DeepReadonly<Nic>[], o: NicAddressOptions): void {
  allocate(data, nics.map((n) => structuredClone(n) as Nic), o);
}

/** Reserves and releases the addresses of `nics` in the transaction (mutating `nics` as `allocate` says). */
export function commitNicAddresses(txn: ConfigTxn, nics: Nic[], o: NicAddressOptions): void {
  for (const [uuid, pool] of allocate(txn.data, nics, o)) Object.assign(txn.edit('networks', uuid), pool.toConfig());
}

/** Releases every address `inst`'s NICs hold (instance removal). */
export function releaseInstanceAddresses(txn: ConfigTxn, inst: DeepReadonly<Instance>): void {
  commitNicAddresses(txn, [], { group: undefined, node: '', old: inst.nics });
}
