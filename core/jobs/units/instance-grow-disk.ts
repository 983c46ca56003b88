import { GanetiError } from '../../errors/index.js';
import type { HvDisk } from '../../contracts/hypervisor.js';
import type { HookEnvValue } from '../logical-unit.js';
import type { OpInstanceGrowDisk } from '../opcodes/definitions.js';
import { payloadOf, wireDisk } from './disk-common.js';
import { InstanceUnit, instanceDisks, isRunning, requireNode, requireOnlineNode, rpcNode, runtimeOf } from './instance-common.js';
import type { DiskView } from './disk-common.js';

/**
 * OP_INSTANCE_GROW_DISK (Ganeti's LUInstanceGrowDisk): the disk is assembled, the growth is
 * tried as a dry run on every node of the disk, then done for real on the backing storage
 * of every node and on the logical device of the primary; the new size is recorded, and a
 * running instance's hypervisor is told (resizeDisk, when it has one). Disks never shrink.
 */
export class InstanceGrowDiskUnit extends InstanceUnit<OpInstanceGrowDisk> {
  override readonly hookPath = 'disk-grow';
  #disk!: DiskView;
  #delta = 0;
  #target = 0;

  override checkPrereq(): void {
    super.checkPrereq();
    const data = this.data;
    const inst = this.inst;
    const disks = instanceDisks(data, inst);
    const disk = disks[this.op.disk];
    if (!disk) throw new GanetiError('GNT_INSTANCE_DISK_INDEX', { instance: inst.name, index: String(this.op.disk), count: String(disks.length) });
    for (const nu of disk.nodes) requireOnlineNode(requireNode(data, nu, nu), 'disk node');
    if (!this.ctx.host.storage.get(disk.dev_type).supportsGrow) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'disk', problem: `the ${disk.dev_type} disk template does not support growing` });
    if (this.op.absolute) {
      this.#target = this.op.amount;
      this.#delta = this.#target - disk.size;
      if (this.#delta < 0) throw new GanetiError('GNT_INSTANCE_DISK_SHRINK', { instance: inst.name, index: String(this.op.disk), requested: String(this.#target), current: String(disk.size) });
    } else {
      this.#delta = this.op.amount;
      this.#target = disk.size + this.#delta;
    }
    this.#disk = disk;
  }

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    return { DISK: this.op.disk, AMOUNT: this.op.amount, ABSOLUTE: this.op.absolute };
  }

  async exec(): Promise<null> {
    const data = this.data;
    const inst = this.inst;
    const disk = { ...this.#disk, iv_name: `disk/${this.op.disk}` };
    const rpc = await this.ctx.rpc();
    const nodes = [...disk.nodes].sort((a, b) => Number(a === inst.primary_node) - Number(b === inst.primary_node));
    const desc = { dev_type: disk.dev_type, name: disk.name ?? null, uuid: disk.uuid };
    let devPath: string | null = null;
    for (const nu of nodes) {
      const node = requireNode(data, nu, nu);
      const r = await rpc.callNode<[string | null, string | null, string[]]>('blockdev_assemble', rpcNode(node), [wireDisk(this.ctx, data, disk, node), inst.name, nu === inst.primary_node, this.op.disk], { signal: this.ctx.signal });
      [devPath] = payloadOf(r, `assemble (on ${node.name})`, desc);
    }
    this.ctx.feedback(`Growing disk ${this.op.disk} of instance '${inst.name}' by ${this.#delta}M to ${this.#target}M`);
    const grow = async (nu: string, dryRun: boolean, backingStore: boolean) => {
      const node = requireNode(data, nu, nu);
      const excl = Boolean(node.ndparams?.['exclusive_storage'] ?? data.cluster.ndparams?.['exclusive_storage']);
      const r = await rpc.callNode('blockdev_grow', rpcNode(node), [wireDisk(this.ctx, data, disk, node), this.#delta, dryRun, backingStore, excl], { signal: this.ctx.signal });
      payloadOf(r, `${dryRun ? 'grow (dry run)' : 'grow'} on ${node.name}`, desc);
    };
    for (const nu of nodes) await grow(nu, true, true);
    for (const nu of nodes) await grow(nu, false, true);
    await grow(inst.primary_node, false, false);
    await this.ctx.config!.update((txn) => {
      txn.edit('disks', disk.uuid).size = this.#target;
    });
    if (!inst.disks_active) {
      for (const nu of nodes) {
        const node = requireNode(data, nu, nu);
        await rpc.callNode('blockdev_shutdown', rpcNode(node), [wireDisk(this.ctx, this.data, disk, node)], { signal: this.ctx.signal }).catch(() => undefined);
      }
    }
    if (await isRunning(this.ctx, inst)) {
      this.ctx.feedback('Try to notify the hypervisor about the disk change');
      const pnode = requireNode(data, inst.primary_node, inst.primary_node);
      const hvDisk: HvDisk = {
        uuid: disk.uuid, name: disk.name ?? null, iv_name: disk.iv_name, dev_type: disk.dev_type, size: this.#target, mode: disk.mode ?? 'rw',
        access: disk.params?.['access'] === 'userspace' ? 'userspace' : 'kernelspace', dev_path: devPath, uri: null,
      };
      const r = await rpc.callNode<boolean>('resize_disk', rpcNode(pnode), [runtimeOf(this.ctx, this.data, inst), hvDisk, this.#target], { signal: this.ctx.signal });
      if (!r?.success) this.ctx.feedback(` - WARNING: disk resize in hypervisor failed: ${r?.error ?? 'no answer'}`);
      else if (!r.payload) this.ctx.feedback(` - INFO: the ${inst.hypervisor} hypervisor cannot resize a disk of a running instance; the guest sees the new size after its next start`);
    }
    return null;
  }
}
