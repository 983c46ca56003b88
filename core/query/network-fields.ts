import type { DeepReadonly, FrozenConfig, Network } from '../config/objects.js';
import { niceSort, niceSortBy } from '../config/nicesort.js';
import { AddressPool } from '../network/address-pool.js';
import { FieldTable, NODATA, UNAVAIL, commonObjectFields, type QueryField, type QueryResult } from './fields.js';
import { requestedNames } from './filter.js';
import { canonicalNames, lookupItem, uniqueByUuid } from './node-fields.js';

/**
 * The `network` query resource (Ganeti's Query/Network.hs and lib/query.py network fields):
 * names, titles and kinds as Ganeti has them, computed from a config snapshot. The pool
 * statistics (free_count, reserved_count, map, external_reservations) come from the
 * network's address pool, built once a row.
 */

type FrozenNetwork = DeepReadonly<Network>;

export interface NetworkRow {
  readonly net: FrozenNetwork;
  readonly config: FrozenConfig;
  /** network UUID → `[group, mode, link, vlan]` of each connection */
  readonly groups: ReadonlyMap<string, [string, string, string, string][]>;
  /** network UUID → names of instances with a NIC on it */
  readonly instances: ReadonlyMap<string, string[]>;
  /** the row's pool, or null when the stored network cannot make one */
  pool(): AddressPool | null;
}

const orUnavail = (v: string | null | undefined) => (v === null || v === undefined ? UNAVAIL : v);
const stat = <T>(r: NetworkRow, f: (p: AddressPool) => T) => {
  const p = r.pool();
  return p ? f(p) : NODATA;
};

const FIELDS: QueryField<NetworkRow>[] = [
  { name: 'name', title: 'Network', kind: 'text', doc: 'Name', get: (r) => r.net.name },
  { name: 'network', title: 'Subnet', kind: 'text', doc: 'IPv4 subnet', get: (r) => r.net.network },
  { name: 'gateway', title: 'Gateway', kind: 'other', doc: 'IPv4 gateway', get: (r) => orUnavail(r.net.gateway) },
  { name: 'network6', title: 'IPv6Subnet', kind: 'other', doc: 'IPv6 subnet', get: (r) => orUnavail(r.net.network6) },
  { name: 'gateway6', title: 'IPv6Gateway', kind: 'other', doc: 'IPv6 gateway', get: (r) => orUnavail(r.net.gateway6) },
  { name: 'mac_prefix', title: 'MacPrefix', kind: 'other', doc: 'MAC address prefix', get: (r) => orUnavail(r.net.mac_prefix) },
  { name: 'free_count', title: 'FreeCount', kind: 'number', doc: 'Number of available addresses', get: (r) => stat(r, (p) => p.freeCount) },
  { name: 'map', title: 'Map', kind: 'text', doc: 'Actual mapping', get: (r) => stat(r, (p) => p.map()) },
  { name: 'reserved_count', title: 'ReservedCount', kind: 'number', doc: 'Number of reserved addresses', get: (r) => stat(r, (p) => p.reservedCount) },
  { name: 'group_list', title: 'GroupList', kind: 'other', doc: 'List of nodegroups (group name, NIC mode, NIC link)', get: (r) => r.groups.get(r.net.uuid) ?? [] },
  { name: 'group_cnt', title: 'NodeGroups', kind: 'number', doc: 'Number of nodegroups', get: (r) => (r.groups.get(r.net.uuid) ?? []).length },
  { name: 'inst_list', title: 'InstanceList', kind: 'other', doc: 'List of instances', get: (r) => niceSort(r.instances.get(r.net.uuid) ?? []) },
  { name: 'inst_cnt', title: 'Instances', kind: 'number', doc: 'Number of instances', get: (r) => (r.instances.get(r.net.uuid) ?? []).length },
  { name: 'external_reservations', title: 'ExternalReservations', kind: 'text', doc: 'External reservations', get: (r) => stat(r, (p) => p.externalReservations().join(', ')) },
  ...commonObjectFields<NetworkRow>('Network', (r) => r.net),
];

/** The network resource's fields. */
export const NETWORK_QUERY_FIELDS = new FieldTable<NetworkRow>('network', FIELDS);

const dash = (v: unknown) => (v === undefined || v === null ? '-' : String(v));

/**
 * Answers Query('network', fields, qfilter) on a config snapshot: networks a filter names (by
 * name or UUID) in the order named, an unknown one being an error; otherwise every network,
 * sorted by name.
 */
export function queryNetworks(config: FrozenConfig, fields: readonly string[], qfilter: unknown): QueryResult {
  const groups = new Map<string, [string, string, string, string][]>();
  for (const g of niceSortBy(Object.values(config.nodegroups), (x) => x.name)) {
    for (const [uuid, p] of Object.entries(g.networks ?? {})) {
      const params = p as Readonly<Record<string, unknown>>;
      const list = groups.get(uuid) ?? [];
      list.push([g.name, dash(params['mode']), dash(params['link']), dash(params['vlan'])]);
      groups.set(uuid, list);
    }
  }
  const instances = new Map<string, string[]>();
  for (const inst of Object.values(config.instances)) {
    for (const uuid of new Set(inst.nics.map((n) => n.network).filter((n): n is string => typeof n === 'string' && n !== ''))) {
      const list = instances.get(uuid) ?? [];
      list.push(inst.name);
      instances.set(uuid, list);
    }
  }
  const wanted = requestedNames(qfilter, 'name');
  const nets = wanted === null ? niceSortBy(Object.values(config.networks), (n) => n.name) : uniqueByUuid(wanted.map((n) => lookupItem('Network', config.networks, String(n))));
  const filter = canonicalNames(qfilter, 'name', (n) => (Object.hasOwn(config.networks, n) ? config.networks[n]!.name : null));
  const rows = nets.map((net): NetworkRow => {
    let pool: AddressPool | null | undefined;
    return {
      net,
      config,
      groups,
      instances,
      pool: () => {
        if (pool === undefined) {
          try {
            pool = new AddressPool(net);
          } catch {
            pool = null;
          }
        }
        return pool;
      },
    };
  });
  return NETWORK_QUERY_FIELDS.query(fields, filter, rows);
}
