import { randomUUID } from 'node:crypto';
import type { DeepReadonly, Disk, FrozenConfig, ParamDict } from '../../config/index.js';
import { GanetiError, describeError } from '../../errors/index.js';
import { newLogicalId } from '../../storage/logical-id.js';
import type { UnitContext } from '../logical-unit.js';
import { payloadOf, wireDisk } from './disk-common.js';
import type { DiskRequest } from './instance-specs.js';
import { requireNode, rpcNode, type NodeView } from './node-common.js';

/** Creating and removing one disk of an existing instance (modify --disk add/remove, recreate-disks). */

const exclusiveStorage = (data: FrozenConfig, node: NodeView): boolean => Boolean(node.ndparams?.['exclusive_storage'] ?? data.cluster.ndparams?.['exclusive_storage']);

/** A new disk object of `template` on `node` (not yet created there). */
export function newDiskObject(data: FrozenConfig, template: string, node: NodeView, index: number, r: DiskRequest): Disk {
  const uuid = randomUUID();
  const now = Date.now() / 1000;
  const lid = newLogicalId({ template, uuid, index, ...(r.vg ? { vg: r.vg } : {}), ...(r.provider ? { provider: r.provider } : {}), ...(r.adopt ? { adopt: r.adopt } : {}) }, data.cluster);
  return {
    uuid, name: r.name, dev_type: template, nodes: [node.uuid], iv_name: `disk/${index}`, size: r.size, mode: r.mode,
    logical_id: [...lid] as Disk['logical_id'], params: r.params as ParamDict, serial_no: 1, ctime: now, mtime: now, ...(r.spindles !== undefined ? { spindles: r.spindles } : {}),
  };
}

/** blockdev_create of `disk` on each of its nodes (primary opened), tagged with the instance; returns the disk with the logical id the node reports. */
export async function createDiskOnNodes(ctx: UnitContext, data: FrozenConfig, disk: DeepReadonly<Disk>, primary: string, instanceName: string): Promise<Disk> {
  const rpc = await ctx.rpc();
  let lid: unknown[] = [...disk.logical_id];
  for (const nu of disk.nodes) {
    const node = requireNode(data, nu, nu);
    ctx.feedback(`* creating disk ${disk.iv_name} (${disk.dev_type}, ${disk.size} MiB) on node ${node.name}`);
    const w = wireDisk(ctx, data, disk, node);
    const r = await rpc.callNode<unknown[]>('blockdev_create', rpcNode(node), [w, disk.size, null, nu === primary, `originstname+${instanceName}`, exclusiveStorage(data, node)], { signal: ctx.signal });
    const got = payloadOf(r, 'create', disk);
    if (nu === primary) lid = got;
  }
  return { ...(disk as Disk), logical_id: lid as Disk['logical_id'] };
}

/** Shuts down and removes `disk` on its nodes; failures come back as warnings (false) unless `strict`. */
export async function removeDiskOnNodes(ctx: UnitContext, data: FrozenConfig, disk: DeepReadonly<Disk>, strict: boolean): Promise<boolean> {
  const rpc = await ctx.rpc();
  let ok = true;
  for (const nu of disk.nodes) {
    const node = requireNode(data, nu, nu);
    const w = wireDisk(ctx, data, disk, node);
    await rpc.callNode('blockdev_shutdown', rpcNode(node), [w], { signal: ctx.signal }).catch(() => undefined);
    const r = await rpc.callNode('blockdev_remove', rpcNode(node), [w], { signal: ctx.signal }).catch((e: unknown) => ({ success: false as const, error: describeError(e) }));
    if (!r?.success) {
      const reason = (r as { error?: string } | undefined)?.error ?? 'no answer';
      if (strict) throw new GanetiError('GNT_DISK_FAILED', { template: disk.dev_type, disk: disk.name ?? disk.uuid, action: `remove (on ${node.name})`, reason });
      ctx.feedback(` - WARNING: could not remove disk ${disk.iv_name ?? disk.uuid} on ${node.name}: ${reason}`);
      ok = false;
    }
  }
  return ok;
}
