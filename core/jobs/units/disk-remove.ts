import { ALL_SET, LogicalUnit } from '../logical-unit.js';
import type { OpDiskRemove } from '../opcodes/definitions.js';
import { diskConfig, diskNode, payloadOf, requireDetached, requireDisk, rpcNode, wireDisk, type DiskView } from './disk-common.js';

/**
 * OP_DISK_REMOVE: removes a detached disk's device (and its data) from its node, then the
 * disk from the config. If the node cannot remove it, the config keeps the disk, so nothing
 * is forgotten while data still exists.
 */
export class DiskRemoveUnit extends LogicalUnit<OpDiskRemove> {
  override readonly requiresBgl = false;
  #disk!: DiskView;

  override expandNames(): void {
    this.neededLocks = { node: ALL_SET };
    this.shareLocks = { node: true };
  }

  override checkPrereq(): void {
    const data = diskConfig(this.ctx);
    this.#disk = requireDisk(data, this.op.disk_name);
    requireDetached(data, this.#disk);
  }

  async exec(): Promise<null> {
    const data = diskConfig(this.ctx);
    const d = this.#disk;
    const node = diskNode(data, d);
    this.ctx.feedback(`* removing ${d.dev_type} disk ${d.name ?? d.uuid} from node ${node.name}`);
    const rpc = await this.ctx.rpc();
    payloadOf(await rpc.callNode('blockdev_remove', rpcNode(node), [wireDisk(this.ctx, data, d, node)], { signal: this.ctx.signal }), 'remove', d);
    await this.ctx.config!.update((txn) => txn.remove('disks', d.uuid));
    return null;
  }
}
