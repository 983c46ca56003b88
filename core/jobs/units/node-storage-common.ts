import { GanetiError } from '../../errors/index.js';
import type { FrozenConfig } from '../../config/index.js';
import { STORAGE_TYPES, type StorageUnits } from '../../contracts/storage.js';
import type { PluginHost } from '../../plugin-host/host.js';
import type { GanetiPaths } from '../../paths.js';
import { toVirtualPath } from '../../rpc/encoding.js';
import { TEMPLATE_STORAGE_TYPE } from '../../query/node-live.js';

/**
 * What the storage unit units (query, modify, repair) share: the checks of Ganeti's
 * CheckStorageTypeEnabled and _GetStorageTypeArgs, with the providers deciding which types
 * can be modified or repaired (Ganeti's fixed tables say lvm-pv's `allocatable` and lvm-vg's
 * fix-consistency; a plugin's units with `modify`/`repair` extend them).
 */

/** Types whose units gnt-node list-storage reports (Ganeti's STS_REPORT_NODE_STORAGE). */
export const REPORTING_STORAGE_TYPES = Object.freeze(['file', 'lvm-pv', 'lvm-vg', 'sharedfile', 'gluster']);

/** Storage types whose unit key is a folder (sent as a path under the cluster root). */
const FOLDER_TYPES = new Set<string>(['file', 'sharedfile', 'gluster']);

/** GNT_STORAGE_TYPE_UNKNOWN unless `type` is one of Ganeti's storage types. */
export function checkStorageType(field: string, type: string): void {
  if (!(STORAGE_TYPES as readonly string[]).includes(type)) throw new GanetiError('GNT_STORAGE_TYPE_UNKNOWN', { field, type, known: STORAGE_TYPES.join(', ') });
}

/** The storage type a disk template accounts its space in: its provider's, else Ganeti's map. */
export function templateStorageType(host: PluginHost, template: string): string | null {
  if (host.storage.has(template)) return host.storage.get(template).storageType;
  return TEMPLATE_STORAGE_TYPE[template] ?? null;
}

/** Enabled disk templates whose space is accounted in `type` (lvm-pv: those of lvm-vg). */
const templatesOf = (data: FrozenConfig, host: PluginHost, type: string): string[] =>
  data.cluster.enabled_disk_templates.filter((t) => templateStorageType(host, t) === (type === 'lvm-pv' ? 'lvm-vg' : type));

/** Ganeti's CheckStorageTypeEnabled: some enabled template uses the type. */
export function checkStorageTypeEnabled(data: FrozenConfig, host: PluginHost, type: string): void {
  if (templatesOf(data, host, type).length === 0)
    throw new GanetiError('GNT_STORAGE_TYPE_NOT_ENABLED', { type, enabled: data.cluster.enabled_disk_templates.join(',') });
}

/** The storage type of the default (first enabled) disk template (Ganeti's _DetermineStorageType). */
export function defaultStorageType(data: FrozenConfig, host: PluginHost): string | null {
  const first = data.cluster.enabled_disk_templates[0];
  return first === undefined ? null : templateStorageType(host, first);
}

/** The enabled template that serves `type` and its units here (the nodes load the same plugins). */
export function servingUnits(data: FrozenConfig, host: PluginHost, type: string): { template: string | null; units: StorageUnits } {
  const ofType = (t: string) => (host.storage.has(t) ? (host.storage.get(t).storageUnits ?? []).find((u) => u.type === type) : undefined);
  for (const template of templatesOf(data, host, type)) {
    const units = ofType(template);
    if (units) return { template, units };
  }
  for (const e of host.storage.entries()) {
    const units = (e.provider.storageUnits ?? []).find((u) => u.type === type);
    if (units) return { template: null, units };
  }
  throw new GanetiError('GNT_STORAGE_TYPE_NO_UNITS', { type, node: 'the master' });
}

/**
 * storage_* RPCs' su_args: [key, params, template]. The key is the unit the cluster uses
 * (Ganeti's _GetStorageTypeArgs gives the folder of file, sharedfile and gluster; ganeti-ts
 * gives LVM types the cluster's volume group and rados the rbd pool too, null when unset).
 */
export function storageUnitArgs(data: FrozenConfig, paths: Pick<GanetiPaths, 'root'>, type: string, template: string | null): [string | null, Record<string, unknown>, string | null] {
  const c = data.cluster;
  const keys: Partial<Record<string, string | null | undefined>> = {
    file: c.file_storage_dir,
    sharedfile: c.shared_file_storage_dir,
    gluster: c.gluster_storage_dir,
    'lvm-vg': c.volume_group_name,
    'lvm-pv': c.volume_group_name,
    rados: (c.diskparams['rbd'] as { pool?: string } | undefined)?.pool,
  };
  let key = keys[type] || null;
  if (key !== null && FOLDER_TYPES.has(type)) {
    try {
      key = toVirtualPath(paths, key);
    } catch {
      // a folder outside this root stays as it is
    }
  }
  const params = type === 'lvm-vg' || type === 'lvm-pv' ? { exclusive_storage: Boolean((c.ndparams as { exclusive_storage?: boolean }).exclusive_storage) } : {};
  return [key, params, template];
}

/** Python's repr of a list of strings, as Ganeti's storage messages quote field lists: `['a', 'b']`. */
export const pyList = (items: readonly string[]): string => `[${items.map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
