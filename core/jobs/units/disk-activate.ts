import { ALL_SET, LogicalUnit } from '../logical-unit.js';
import type { OpDiskActivate, OpDiskDeactivate } from '../opcodes/definitions.js';
import { diskConfig, diskNode, payloadOf, requireDetached, requireDisk, requireDiskNode, rpcNode, wireDisk, type DiskView } from './disk-common.js';

/** `[node, disk name, device path or null, userspace URIs]`, as activate-disks reports. */
export type DiskActivation = [string, string, string | null, string[]];

abstract class DiskStateUnit<Op extends OpDiskActivate | OpDiskDeactivate> extends LogicalUnit<Op> {
  override readonly requiresBgl = false;
  protected disk!: DiskView;

  override expandNames(): void {
    this.neededLocks = { node: ALL_SET };
    this.shareLocks = { node: true };
  }

  override checkPrereq(): void {
    const data = diskConfig(this.ctx);
    this.disk = requireDisk(data, this.op.disk_name);
    requireDetached(data, this.disk);
    requireDiskNode(diskNode(data, this.disk));
  }
}

/** OP_DISK_ACTIVATE: assembles a detached disk on its node and opens it (ES attach, then open). */
export class DiskActivateUnit extends DiskStateUnit<OpDiskActivate> {
  async exec(): Promise<DiskActivation[]> {
    const data = diskConfig(this.ctx);
    const node = diskNode(data, this.disk);
    const rpc = await this.ctx.rpc();
    const r = await rpc.callNode<[string | null, string | null, string[]]>('blockdev_assemble', rpcNode(node), [wireDisk(this.ctx, data, this.disk, node), this.disk.name ?? null, true, 0], { signal: this.ctx.signal });
    const [path, , uris] = payloadOf(r, 'activate', this.disk);
    return [[node.name, this.disk.name ?? this.disk.uuid, path, uris]];
  }
}

/** OP_DISK_DEACTIVATE: shuts a detached disk down on its node (ES detach), keeping its data. */
export class DiskDeactivateUnit extends DiskStateUnit<OpDiskDeactivate> {
  async exec(): Promise<null> {
    const data = diskConfig(this.ctx);
    const node = diskNode(data, this.disk);
    const rpc = await this.ctx.rpc();
    payloadOf(await rpc.callNode('blockdev_shutdown', rpcNode(node), [wireDisk(this.ctx, data, this.disk, node)], { signal: this.ctx.signal }), 'deactivate', this.disk);
    return null;
  }
}
