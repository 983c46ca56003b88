import type { HookEnvValue } from '../logical-unit.js';
import type { OpInstanceShutdown } from '../opcodes/definitions.js';
import { InstanceUnit, setAdminState, shutdownDisks, shutdownInstance } from './instance-common.js';

/**
 * OP_INSTANCE_SHUTDOWN: records the instance as down (unless `no_remember`) and stops it:
 * asked to power off, killed once `timeout` seconds have passed; then its disks are shut
 * down on every node, as Ganeti does.
 */
export class InstanceShutdownUnit extends InstanceUnit<OpInstanceShutdown> {
  override readonly hookPath = 'instance-stop';

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    return { TIMEOUT: this.op.timeout };
  }

  async exec(): Promise<null> {
    if (!this.op.no_remember) await setAdminState(this.ctx, this.inst, 'down');
    const how = await shutdownInstance(this.ctx, this.inst, this.op.timeout);
    if (how === 'forced') this.ctx.feedback(` - WARNING: instance ${this.inst.name} did not shut down within ${this.op.timeout} s and was killed`);
    if (this.inst.disks.length) {
      await shutdownDisks(this.ctx, this.inst);
      await this.ctx.config!.update((txn) => {
        txn.edit('instances', this.inst.uuid).disks_active = false;
      });
    }
    return null;
  }
}
