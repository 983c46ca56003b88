import { GanetiError } from '../../errors/index.js';
import type { OpInstanceActivateDisks, OpInstanceDeactivateDisks } from '../opcodes/definitions.js';
import { payloadOf } from './disk-common.js';
import { InstanceUnit, instanceDisks, isRunning, requireNode, rpcNode, wireDisks } from './instance-common.js';

/** `[node, iv_name, device path or null]` per disk, as gnt-instance activate-disks prints it. */
export type DiskMapping = [string, string, string | null];

/**
 * OP_INSTANCE_ACTIVATE_DISKS: assembles the instance's disks on its nodes (secondaries
 * first, then the primary, where they are opened) and records them active.
 */
export class InstanceActivateDisksUnit extends InstanceUnit<OpInstanceActivateDisks> {
  async exec(): Promise<DiskMapping[]> {
    const data = this.data;
    const inst = this.inst;
    const rpc = await this.ctx.rpc();
    const out: DiskMapping[] = [];
    const nodes = [...new Set(instanceDisks(data, inst).flatMap((d) => d.nodes))].sort((a, b) => Number(a === inst.primary_node) - Number(b === inst.primary_node));
    for (const nu of nodes) {
      const node = requireNode(data, nu, nu);
      const primary = nu === inst.primary_node;
      for (const [idx, w] of wireDisks(this.ctx, data, inst, node).entries()) {
        const r = await rpc.callNode<[string | null, string | null, string[]]>('blockdev_assemble', rpcNode(node), [w, inst.name, primary, idx], { signal: this.ctx.signal });
        const [path] = payloadOf(r, `activate (on ${node.name})`, { dev_type: w.dev_type, name: w.iv_name ?? null, uuid: w.uuid });
        if (primary) out.push([node.name, w.iv_name ?? `disk/${idx}`, path]);
      }
    }
    await this.ctx.config!.update((txn) => {
      txn.edit('instances', inst.uuid).disks_active = true;
    });
    return out;
  }
}

/** OP_INSTANCE_DEACTIVATE_DISKS: shuts the disks down on every node; refused while the instance runs. */
export class InstanceDeactivateDisksUnit extends InstanceUnit<OpInstanceDeactivateDisks> {
  async exec(): Promise<null> {
    const data = this.data;
    const inst = this.inst;
    if (!this.op.force && (await isRunning(this.ctx, inst)) !== false)
      throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: 'is running (or its primary did not answer); stop it first, or use --force' });
    const rpc = await this.ctx.rpc();
    for (const nu of [...new Set(instanceDisks(data, inst).flatMap((d) => d.nodes))]) {
      const node = requireNode(data, nu, nu);
      for (const w of wireDisks(this.ctx, data, inst, node)) {
        payloadOf(await rpc.callNode('blockdev_shutdown', rpcNode(node), [w], { signal: this.ctx.signal }), `deactivate (on ${node.name})`, { dev_type: w.dev_type, name: w.iv_name ?? null, uuid: w.uuid });
      }
    }
    await this.ctx.config!.update((txn) => {
      txn.edit('instances', inst.uuid).disks_active = false;
    });
    return null;
  }
}
