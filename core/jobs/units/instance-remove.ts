import { describeError } from '../../errors/index.js';
import type { HookEnvValue, HookNodes, UnitContext } from '../logical-unit.js';
import type { InstanceView } from '../../instance/runtime.js';
import { configData } from './group-params.js';
import type { OpInstanceRemove } from '../opcodes/definitions.js';
import { releaseInstanceAddresses } from '../../network/nic-addresses.js';
import { InstanceUnit, instanceDisks, requireNode, rpcNode, shutdownInstance, wireDisks } from './instance-common.js';

/**
 * OP_INSTANCE_REMOVE: stops the instance, removes its disks on their nodes, then drops it
 * from the config. With `ignore_failures` a node that cannot stop it or remove a disk only
 * gives a warning (Ganeti's --ignore-failures); otherwise the first failure stops the
 * removal with the config unchanged.
 */
export class InstanceRemoveUnit extends InstanceUnit<OpInstanceRemove> {
  override readonly hookPath = 'instance-remove';

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    return { SHUTDOWN_TIMEOUT: this.op.shutdown_timeout };
  }

  override hooksNodes(): HookNodes {
    const all = super.hooksNodes();
    return { pre: [this.data.cluster.master_node], post: all.post };
  }

  async exec(): Promise<null> {
    const inst = this.inst;
    const warnOr = (what: string, e: unknown) => {
      if (!this.op.ignore_failures) throw e;
      this.ctx.feedback(` - WARNING: ${what}: ${describeError(e)}`);
    };
    this.ctx.feedback(`* shutting down instance ${inst.name} on node ${this.data.nodes[inst.primary_node]?.name ?? inst.primary_node}`);
    await shutdownInstance(this.ctx, inst, this.op.shutdown_timeout).catch((e: unknown) => warnOr('could not shut the instance down', e));
    await removeInstanceData(this.ctx, inst, warnOr);
    return null;
  }
}

/** Removes a stopped instance's disks on their nodes, then the instance from the config (also for gnt-backup export --remove-instance). */
export async function removeInstanceData(ctx: UnitContext, inst: InstanceView, warnOr: (what: string, e: unknown) => void): Promise<void> {
  const data = configData(ctx.config);
  const rpc = await ctx.rpc();
  const nodes = [...new Set(instanceDisks(data, inst).flatMap((d) => d.nodes))];
  ctx.feedback(`* removing ${inst.disks.length} disk(s)`);
  for (const nu of nodes) {
    const node = requireNode(data, nu, nu);
    for (const w of wireDisks(ctx, data, inst, node)) {
      await rpc.callNode('blockdev_shutdown', rpcNode(node), [w], { signal: ctx.signal }).catch(() => undefined);
      const r = await rpc.callNode('blockdev_remove', rpcNode(node), [w], { signal: ctx.signal });
      if (!r?.success) warnOr(`could not remove ${w.iv_name} on ${node.name}`, new Error(r?.error ?? 'no answer'));
    }
  }
  await ctx.config!.update((txn) => {
    for (const d of inst.disks) if (txn.get('disks', d)) txn.remove('disks', d);
    releaseInstanceAddresses(txn, txn.get('instances', inst.uuid) ?? inst); // --- networks: give the NICs' addresses back
    txn.remove('instances', inst.uuid);
  });
}
