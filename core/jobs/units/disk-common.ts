import { GanetiError } from '../../errors/index.js';
import type { DeepReadonly, Disk, FrozenConfig } from '../../config/index.js';
import type { RpcResult } from '../../rpc/index.js';
import type { WireDisk } from '../../storage/disk-wire.js';
import { filledDiskParams } from '../../storage/disk-params.js';
import { DRBD_TEMPLATE, drbdDynamicParams } from '../../storage/drbd-layout.js';
import type { UnitContext } from '../logical-unit.js';
import { configData } from './group-params.js';
import { requireNode, rpcNode, type NodeView } from './node-common.js';

/** What the detached-disk units share: lookups, the wire form of a disk, RPC results. */

export type DiskView = DeepReadonly<Disk>;

/** A disk by name or UUID; GNT_DISK_UNKNOWN naming the field. */
export function requireDisk(data: FrozenConfig, name: string): DiskView {
  const d = data.disks[name] ?? Object.values(data.disks).find((x) => x.name === name);
  if (!d) throw new GanetiError('GNT_DISK_UNKNOWN', { field: 'disk_name', name });
  return d;
}

/** The instance a disk belongs to, or undefined for a detached disk. */
export function diskOwner(data: FrozenConfig, diskUuid: string): string | undefined {
  return Object.values(data.instances).find((i) => i.disks.includes(diskUuid))?.name;
}

/** Refuses to act on a disk an instance uses: its instance's commands own it. */
export function requireDetached(data: FrozenConfig, d: DiskView): void {
  const owner = diskOwner(data, d.uuid);
  if (owner) throw new GanetiError('GNT_DISK_ATTACHED', { disk: d.name ?? d.uuid, instance: owner });
}

/** The node that serves a detached disk (its first node). */
export function diskNode(data: FrozenConfig, d: DiskView): NodeView {
  const uuid = d.nodes[0];
  if (!uuid) throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: d.dev_type, disk: d.name ?? d.uuid, reason: 'it lists no node' });
  return requireNode(data, uuid, uuid);
}

/** The node must be online and vm_capable to hold disks. */
export function requireDiskNode(node: NodeView): void {
  if (node.offline) throw new GanetiError('GNT_NODE_STATE', { node: node.name, problem: 'it is offline' });
  if (node.vm_capable === false) throw new GanetiError('GNT_NODE_STATE', { node: node.name, problem: 'it is not vm_capable, so it cannot hold disks' });
}

/**
 * A disk (and its children) in wire form, parameters filled for the group of `node`; a drbd
 * disk carries that node's dyn_params (own and peer address and minor; none with `standalone`).
 */
export function wireDisk(ctx: UnitContext, data: FrozenConfig, d: DeepReadonly<Omit<Disk, 'uuid' | 'serial_no' | 'ctime' | 'mtime'> & { uuid: string }>, node: NodeView, o: { standalone?: boolean } = {}): WireDisk {
  return {
    ...(d.dev_type === DRBD_TEMPLATE ? { dynamic_params: drbdDynamicParams(data, d, node.uuid, o.standalone) } : {}),
    uuid: d.uuid,
    name: d.name ?? null,
    dev_type: d.dev_type,
    logical_id: [...d.logical_id],
    size: d.size,
    mode: d.mode ?? 'rw',
    iv_name: d.iv_name ?? 'disk/0',
    params: filledDiskParams(ctx.host, data, node.group, d.dev_type, d.params),
    ...(d.spindles !== undefined ? { spindles: d.spindles } : {}),
    ...(d.children?.length ? { children: d.children.map((c) => wireDisk(ctx, data, { ...c, uuid: c.uuid ?? `${d.uuid}-child` }, node)) } : {}),
  };
}

/** The payload of a single-node call, or GNT_DISK_FAILED with the node's message. */
export function payloadOf<T>(r: RpcResult<T> | undefined, action: string, d: { dev_type: string; name?: string | null; uuid: string }): T {
  if (r?.success) return r.payload;
  throw new GanetiError('GNT_DISK_FAILED', { template: d.dev_type, disk: d.name ?? d.uuid, action, reason: r?.error ?? 'no answer' });
}

export const diskConfig = (ctx: UnitContext): FrozenConfig => configData(ctx.config);
export { rpcNode };
