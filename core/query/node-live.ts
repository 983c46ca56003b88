import type { DeepReadonly, FrozenConfig, Node } from '../config/objects.js';
import type { HvNodeInfo } from '../contracts/hypervisor.js';
import type { StorageSpaceInfo, StorageType } from '../contracts/storage.js';
import type { PluginHost } from '../plugin-host/host.js';
import type { GanetiPaths } from '../paths.js';
import type { RpcClient } from '../rpc/client.js';
import { toVirtualPath } from '../rpc/encoding.js';
import { NODATA, OFFLINE, UNAVAIL } from './values.js';
import type { NodeLiveProvider, NodeLiveValues } from './node-fields.js';

/**
 * The live part of node queries (Ganeti's NodeQuery with NQ_LIVE): one node_info fan-out to
 * the vm_capable, online nodes asked for, with the storage unit of the cluster's default disk
 * template (the first enabled one) and the default hypervisor (the first enabled one) with its
 * cluster hvparams. Values are Ganeti's: MiB for memory and disk, counts for CPUs.
 */

type FrozenNode = DeepReadonly<Node>;

/** Where a template's space is accounted when no provider says (Ganeti's template → storage type map). */
export const TEMPLATE_STORAGE_TYPE: Readonly<Record<string, StorageType>> = {
  plain: 'lvm-vg', drbd: 'lvm-vg', file: 'file', sharedfile: 'sharedfile', gluster: 'gluster',
  rbd: 'rados', ext: 'ext', blockdev: 'blockdev', diskless: 'diskless',
};

/** Storage types whose unit is a folder: sent as a path under the root (as upload_file does). */
const FOLDER_TYPES = new Set<string>(['file', 'sharedfile', 'gluster']);

export type StorageUnitArg = [type: string, key: string, params: unknown[]];

/**
 * node_info's storage units for the default disk template: none when the template has no
 * space to report (diskless, blockdev, ext...) or no loaded provider reports its type.
 */
export function defaultStorageUnits(config: FrozenConfig, host: PluginHost, paths: Pick<GanetiPaths, 'root'>): StorageUnitArg[] {
  const c = config.cluster;
  const template = c.enabled_disk_templates[0];
  if (!template) return [];
  const provider = host.storage.has(template) ? host.storage.get(template) : undefined;
  const type = provider ? provider.storageType : TEMPLATE_STORAGE_TYPE[template];
  if (!type) return [];
  const reports = host.storage.entries().some((e) => (e.provider.storageUnits ?? []).some((u) => u.type === type && typeof u.spaceInfo === 'function'));
  if (!reports) return [];
  const keys: Partial<Record<string, string | undefined>> = {
    file: c.file_storage_dir,
    sharedfile: c.shared_file_storage_dir,
    gluster: c.gluster_storage_dir,
    'lvm-vg': c.volume_group_name,
    rados: (c.diskparams['rbd'] as { pool?: string } | undefined)?.pool,
  };
  let key = keys[type];
  if (!key) return [];
  if (FOLDER_TYPES.has(type)) {
    try {
      key = toVirtualPath(paths, key);
    } catch {
      // a folder outside this root stays as it is
    }
  }
  const params = type === 'lvm-vg' ? [Boolean((c.ndparams as { exclusive_storage?: boolean }).exclusive_storage)] : [];
  return [[type, key, params]];
}

/** The default hypervisor with its cluster hvparams, as node_info wants it. */
export function defaultHvSpecs(config: FrozenConfig): [string, Record<string, unknown>][] {
  const hv = config.cluster.enabled_hypervisors[0];
  return hv ? [[hv, { ...(config.cluster.hvparams[hv] ?? {}) }]] : [];
}

/** A node_info payload as the live fields' values (Ganeti's MakeLegacyNodeInfo). */
export function liveValuesOf(payload: unknown): Record<string, unknown> | null {
  if (!Array.isArray(payload) || payload.length !== 3) return null;
  const [bootId, storage, hv] = payload as [unknown, StorageSpaceInfo[] | undefined, HvNodeInfo[] | undefined];
  const space = Array.isArray(storage) ? storage[0] : undefined;
  const h = Array.isArray(hv) ? hv[0] : undefined;
  return {
    bootid: typeof bootId === 'string' && bootId !== '' ? bootId : NODATA,
    dtotal: typeof space?.storage_size === 'number' ? space.storage_size : UNAVAIL,
    dfree: typeof space?.storage_free === 'number' ? space.storage_free : UNAVAIL,
    // spindles only exist with exclusive storage on LVM, which ganeti-ts does not report yet
    sptotal: UNAVAIL,
    spfree: UNAVAIL,
    mtotal: h ? h.memory_total : UNAVAIL,
    mnode: h ? h.memory_dom0 : UNAVAIL,
    mfree: h ? h.memory_free : UNAVAIL,
    ctotal: h ? h.cpu_total : UNAVAIL,
    cnos: h ? h.cpu_dom0 : UNAVAIL,
    cnodes: h ? h.cpu_nodes : UNAVAIL,
    csockets: h ? h.cpu_sockets : UNAVAIL,
  };
}

export interface NodeLiveSource {
  readonly rpc: () => Promise<RpcClient>;
  readonly host: PluginHost;
  readonly paths: Pick<GanetiPaths, 'root'>;
}

/**
 * Asks the nodes for their live data and returns the provider the node fields read:
 * OFFLINE for offline nodes (not contacted), UNAVAIL for nodes that cannot host instances,
 * NODATA for nodes that failed or did not answer in time.
 */
export async function fetchNodeLive(src: NodeLiveSource, config: FrozenConfig, nodes: readonly FrozenNode[]): Promise<NodeLiveProvider> {
  const targets = nodes.filter((n) => !n.offline && n.vm_capable);
  const live = new Map<string, Record<string, unknown>>();
  // Without a usable RPC client (e.g. no cluster certificate yet) every node answers "no data".
  const rpc = targets.length > 0 ? await src.rpc().catch(() => null) : null;
  if (rpc) {
    const args = [defaultStorageUnits(config, src.host, src.paths), defaultHvSpecs(config)];
    const results = await rpc.call('node_info', targets.map((n) => ({ name: n.name, address: n.primary_ip })), args);
    results.forEach((r, i) => {
      const values = r.success ? liveValuesOf(r.payload) : null;
      if (values) live.set(targets[i]!.uuid, values);
    });
  }
  return (node): NodeLiveValues => {
    if (node.offline) return OFFLINE;
    if (!node.vm_capable) return UNAVAIL;
    return live.get(node.uuid) ?? NODATA;
  };
}
