import { GanetiError } from '../../errors/index.js';
import { mergeBeparams } from '../../cluster/params.js';
import type { HookEnvValue } from '../logical-unit.js';
import type { OpInstanceStartup } from '../opcodes/definitions.js';
import { InstanceUnit, isRunning, requireNode, setAdminState, startInstance } from './instance-common.js';
import { checkFreeMemory } from './instance-memory.js';
import { filledBeParams } from '../../instance/params.js';

/**
 * OP_INSTANCE_STARTUP: records the instance as up (unless `no_remember`) and starts it on
 * its primary with its disks. Already running: only the admin state is recorded, as in
 * Ganeti. `hvparams`/`beparams` apply to this start only.
 */
export class InstanceStartupUnit extends InstanceUnit<OpInstanceStartup> {
  override readonly hookPath = 'instance-start';
  #hvparams: Record<string, unknown> = {};
  #beparams: Record<string, unknown> = {};

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    return { FORCE: this.op.force };
  }

  override checkPrereq(): void {
    super.checkPrereq();
    if (this.inst.admin_state === 'offline') throw new GanetiError('GNT_INSTANCE_STATE', { instance: this.inst.name, problem: 'is marked offline; bring it online first (gnt-instance modify --online)' });
    const pnode = requireNode(this.data, this.inst.primary_node, this.inst.primary_node);
    if (pnode.offline) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'primary node', node: pnode.name, problem: 'is offline' });
    // checked (and typed) here; they apply to this start only
    this.#hvparams = this.ctx.host.hypervisors.validateParams(this.inst.hypervisor, this.op.hvparams, { partial: true });
    this.#beparams = mergeBeparams('OP_INSTANCE_STARTUP', {}, this.op.beparams);
  }

  async exec(): Promise<null> {
    const inst = this.inst;
    if (!this.op.no_remember) await setAdminState(this.ctx, inst, 'up');
    if (await isRunning(this.ctx, inst)) {
      this.ctx.feedback(` - INFO: instance ${inst.name} is already running`);
      return null;
    }
    const pnode = requireNode(this.data, inst.primary_node, inst.primary_node);
    await checkFreeMemory(this.ctx, this.data, pnode, inst.name, inst.hypervisor, { ...filledBeParams(this.data, inst), ...this.#beparams }, 'minmem');
    await startInstance(this.ctx, this.fresh(), { paused: this.op.startup_paused, hvparams: this.#hvparams, beparams: this.#beparams });
    await this.ctx.config!.update((txn) => {
      txn.edit('instances', inst.uuid).disks_active = true;
    });
    return null;
  }
}
