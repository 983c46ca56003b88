import { GanetiError } from '../../errors/index.js';
import type { HookEnvValue } from '../logical-unit.js';
import type { OpInstanceReboot } from '../opcodes/definitions.js';
import { InstanceUnit, instancePayload, isRunning, requireNode, rpcNode, runtimeOf, setAdminState, shutdownInstance, startInstance, wireDisks } from './instance-common.js';

/**
 * OP_INSTANCE_REBOOT. soft: the guest restarts in place; hard: the hypervisor process is
 * stopped and started again on the node; full: stopped, then started by the master as a
 * new start (Ganeti also cycles the disks). A stopped instance is simply started (Ganeti
 * does the same for an instance that is not running).
 */
export class InstanceRebootUnit extends InstanceUnit<OpInstanceReboot> {
  override readonly hookPath = 'instance-reboot';

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    return { IGNORE_SECONDARIES: this.op.ignore_secondaries, REBOOT_TYPE: this.op.reboot_type, SHUTDOWN_TIMEOUT: this.op.shutdown_timeout };
  }

  override checkPrereq(): void {
    super.checkPrereq();
    const pnode = requireNode(this.data, this.inst.primary_node, this.inst.primary_node);
    if (pnode.offline) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'primary node', node: pnode.name, problem: 'is offline' });
  }

  async exec(): Promise<null> {
    const inst = this.inst;
    const running = await isRunning(this.ctx, inst);
    if (running && (this.op.reboot_type === 'soft' || this.op.reboot_type === 'hard')) {
      const data = this.data;
      const pnode = requireNode(data, inst.primary_node, inst.primary_node);
      const rpc = await this.ctx.rpc();
      const r = await rpc.callNode('instance_reboot', rpcNode(pnode), [runtimeOf(this.ctx, data, inst), wireDisks(this.ctx, data, inst, pnode), this.op.reboot_type, this.op.shutdown_timeout, []], { signal: this.ctx.signal });
      instancePayload(r, `${this.op.reboot_type}-reboot`, inst.name, pnode.name);
    } else {
      if (running) await shutdownInstance(this.ctx, inst, this.op.shutdown_timeout);
      else this.ctx.feedback(` - INFO: instance ${inst.name} was not running; starting it`);
      await startInstance(this.ctx, inst);
    }
    await setAdminState(this.ctx, inst, 'up');
    return null;
  }
}
