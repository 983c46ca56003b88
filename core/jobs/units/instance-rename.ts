import { GanetiError } from '../../errors/index.js';
import { checkHostName } from '../../cluster/params.js';
import type { HookEnvValue } from '../logical-unit.js';
import type { OpInstanceRename } from '../opcodes/definitions.js';
import { InstanceUnit, findInstance, instanceDisks, requireNode, requireOnlineNode, rpcNode, shutdownDisks } from './instance-common.js';
import { wireDisk } from './disk-common.js';
import { requireInstanceState } from './instance-state.js';
import { runOsRename } from './instance-os.js';

/**
 * OP_INSTANCE_RENAME: the instance must be stopped (Ganeti's INSTANCE_NOT_RUNNING) and the
 * new name free; the config entry is renamed (its UUID stays) and each disk's metadata
 * text follows the new name. Ganeti also renames the per-instance folder of file disks
 * (file_storage_dir_rename); here file disks are named by their disk UUID in the cluster's
 * file storage folder, so their logical id and files stay as they are.
 * name_check only checks the new name's syntax (no DNS lookup yet); ip_check is accepted
 * and not acted upon.
 */
export class InstanceRenameUnit extends InstanceUnit<OpInstanceRename> {
  override readonly hookPath = 'instance-rename';
  #oldName = '';

  override checkArguments(): void {
    checkHostName('OP_INSTANCE_RENAME', 'new_name', this.op.new_name);
    if (this.op.ip_check && !this.op.name_check) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'ip_check', problem: 'the IP address check requires a name check' });
  }

  override expandNames(): void {
    super.expandNames();
    // The new name is locked too, so two renames cannot race to it.
    this.neededLocks.instance = [...new Set([this.op.instance_name, this.op.new_name])];
  }

  override async checkPrereq(): Promise<void> {
    super.checkPrereq();
    this.#oldName = this.inst.name;
    requireOnlineNode(requireNode(this.data, this.inst.primary_node, this.inst.primary_node), 'primary node');
    await requireInstanceState(this.ctx, this.inst, ['down', 'offline'], 'cannot rename');
    const other = findInstance(this.data, this.op.new_name);
    if (other && other.uuid !== this.inst.uuid) throw new GanetiError('GNT_INSTANCE_EXISTS', { name: this.op.new_name });
  }

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    return { INSTANCE_NEW_NAME: this.op.new_name };
  }

  async exec(): Promise<string> {
    const inst = this.inst;
    if (this.op.new_name === inst.name) return inst.name;
    await this.ctx.config!.update((txn) => {
      if (Object.values(txn.data.instances).some((i) => i.name === this.op.new_name && i.uuid !== inst.uuid)) throw new GanetiError('GNT_INSTANCE_EXISTS', { name: this.op.new_name });
      txn.edit('instances', inst.uuid).name = this.op.new_name;
    });
    const data = this.data;
    const rpc = await this.ctx.rpc();
    for (const d of instanceDisks(data, inst)) {
      for (const nu of d.nodes) {
        const node = requireNode(data, nu, nu);
        const r = await rpc.callNode('blockdev_setinfo', rpcNode(node), [wireDisk(this.ctx, data, d, node), `originstname+${this.op.new_name}`], { signal: this.ctx.signal });
        if (!r?.success) this.ctx.feedback(` - WARNING: could not update the metadata of disk ${d.iv_name} on ${node.name}: ${r?.error ?? 'no answer'}`);
      }
    }
    if (this.fresh().disks.length) {
      await runOsRename(this.ctx, this.fresh(), this.#oldName);
      await shutdownDisks(this.ctx, this.fresh());
    }
    return this.op.new_name;
  }
}
