import { GanetiError, describeError } from '../../errors/index.js';
import type { HookEnvValue, HookNodes } from '../logical-unit.js';
import type { OpInstanceFailover } from '../opcodes/definitions.js';
import { filledBeParams } from '../../instance/params.js';
import { InstanceUnit, requireNode, secondaryNodes, shutdownDisks, shutdownInstance, startInstance, type NodeView } from './instance-common.js';
import { checkFreeMemory } from './instance-memory.js';
import { moveTarget } from './instance-placement.js';
import type { InstanceView } from '../../instance/runtime.js';
import type { UnitContext } from '../logical-unit.js';

/**
 * OP_INSTANCE_FAILOVER: the instance is stopped on its primary (if that node answers), its
 * disks are shut down, the target becomes its primary, and it is started there if it is
 * meant to run. For drbd the target is the secondary and the old primary becomes the
 * secondary; for disks any node reaches (rbd, sharedfile, ext, diskless) it is the node
 * given. With `ignore_consistency` a primary that is down does not stop the failover.
 */
export class InstanceFailoverUnit extends InstanceUnit<OpInstanceFailover> {
  override readonly hookPath = 'instance-failover';
  #target!: NodeView;
  #source!: NodeView;

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    const name = (u: string | undefined) => (u ? (this.data.nodes[u]?.name ?? u) : '');
    return {
      IGNORE_CONSISTENCY: this.op.ignore_consistency, SHUTDOWN_TIMEOUT: this.op.shutdown_timeout,
      OLD_PRIMARY: this.#source?.name ?? '', NEW_PRIMARY: this.#target?.name ?? '',
      OLD_SECONDARY: name(secondaryNodes(this.data, this.inst)[0]), NEW_SECONDARY: this.#target && secondaryNodes(this.data, this.inst).includes(this.#target.uuid) ? this.#source.name : '',
    };
  }

  override hooksNodes(): HookNodes {
    const master = this.data.cluster.master_node;
    return { pre: [...new Set([master, ...secondaryNodes(this.data, this.inst)])], post: [...new Set([master, this.inst.primary_node, ...secondaryNodes(this.data, this.inst)])] };
  }

  override checkPrereq(): void {
    super.checkPrereq();
    this.#source = requireNode(this.data, this.inst.primary_node, this.inst.primary_node);
    this.#target = moveTarget(this.ctx.host, this.data, this.inst, this.op.target_node, this.op.iallocator, 'fail over');
    if (this.#source.offline && !this.op.ignore_consistency)
      throw new GanetiError('GNT_INSTANCE_NODE', { field: 'primary node', node: this.#source.name, problem: 'is offline; use --ignore-consistency to fail over anyway' });
  }

  async exec(): Promise<null> {
    await failOver(this.ctx, this.inst, this.#source, this.#target, { ignoreConsistency: this.op.ignore_consistency, shutdownTimeout: this.op.shutdown_timeout });
    return null;
  }
}

/** The failover itself (also what migrate does for a stopped instance with --allow-failover). */
export async function failOver(ctx: UnitContext, inst: InstanceView, source: NodeView, target: NodeView, o: { ignoreConsistency: boolean; shutdownTimeout: number }): Promise<void> {
  const data = ctx.config!.data;
  if (inst.admin_state === 'up') await checkFreeMemory(ctx, data, target, inst.name, inst.hypervisor, filledBeParams(data, inst), 'minmem');
  if (!source.offline) {
    ctx.feedback(`* shutting down instance ${inst.name} on source node ${source.name}`);
    try {
      await shutdownInstance(ctx, inst, o.shutdownTimeout);
    } catch (e) {
      if (!o.ignoreConsistency) throw e;
      ctx.feedback(` - WARNING: could not shut down instance ${inst.name} on node ${source.name}: ${describeError(e)}; going on (--ignore-consistency)`);
    }
  }
  ctx.feedback('* deactivating the instance\'s disks');
  await shutdownDisks(ctx, inst);
  await ctx.config!.update((txn) => {
    const i = txn.edit('instances', inst.uuid);
    i.primary_node = target.uuid;
  });
  const moved = ctx.config!.data.instances[inst.uuid]!;
  if (moved.admin_state !== 'up') return;
  ctx.feedback(`* starting the instance on the target node ${target.name}`);
  await startInstance(ctx, moved);
}
