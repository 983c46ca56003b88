import { GanetiError, describeError } from '../../errors/index.js';
import type { MigrationStatus } from '../../contracts/hypervisor.js';
import type { HookEnvValue, HookNodes } from '../logical-unit.js';
import type { OpInstanceMigrate } from '../opcodes/definitions.js';
import { filledBeParams, filledHvParams } from '../../instance/params.js';
import { InstanceUnit, isRunning, requireNode, rpcNode, runtimeOf, secondaryNodes, wireDisks, type NodeView } from './instance-common.js';
import { checkFreeMemory } from './instance-memory.js';
import { diskReach, migrationAddress, moveTarget } from './instance-placement.js';
import { failOver } from './instance-failover.js';

// a live migration of a small guest takes a few hundred ms: poll often enough not to add to it
const STATUS_POLL_MS = 50;

/**
 * OP_INSTANCE_MIGRATE: moves a running instance to another node while it runs (live) or
 * paused (non-live), with the hypervisor's migration sequence (contracts/hypervisor.ts):
 * migration_info on the source, accept_instance on the target (its disks assembled there),
 * instance_migrate on the source, instance_get_migration_status until done, then
 * finalize on the target and on the source, and the config's primary moves. drbd disks go
 * dual-primary for the move and back to one primary after it, as Ganeti does.
 *
 * A failure at any step finalizes both sides as failed: the instance keeps running on the
 * source and the config is unchanged. `cleanup` repairs a migration that broke off (a
 * master that died half way): whichever node runs the instance becomes, or stays, its
 * primary, and both sides are finalized accordingly.
 */
export class InstanceMigrateUnit extends InstanceUnit<OpInstanceMigrate> {
  override readonly hookPath = 'instance-migrate';
  #source!: NodeView;
  #target!: NodeView;
  #live = true;

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    const drbd = diskReach(this.ctx.host, this.data, this.inst) === 'internal';
    return {
      MIGRATE_LIVE: this.#live, MIGRATE_CLEANUP: this.op.cleanup, OLD_PRIMARY: this.#source?.name ?? '', NEW_PRIMARY: this.#target?.name ?? '',
      OLD_SECONDARY: drbd ? (this.#target?.name ?? '') : '', NEW_SECONDARY: drbd ? (this.#source?.name ?? '') : '',
    };
  }

  override hooksNodes(): HookNodes {
    const nodes = [...new Set([this.data.cluster.master_node, this.inst.primary_node, ...(this.#target ? [this.#target.uuid] : []), ...secondaryNodes(this.data, this.inst)])];
    return { pre: nodes, post: nodes };
  }

  override checkPrereq(): void {
    super.checkPrereq();
    const hv = this.ctx.host.hypervisors.get(this.inst.hypervisor);
    if (!hv.canMigrate || !hv.migration) throw new GanetiError('GNT_INSTANCE_HV_UNSUPPORTED', { hypervisor: this.inst.hypervisor, action: 'migrate instances (use gnt-instance failover)' });
    this.#source = requireNode(this.data, this.inst.primary_node, this.inst.primary_node);
    if (this.#source.offline) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'primary node', node: this.#source.name, problem: 'is offline; use gnt-instance failover --ignore-consistency' });
    this.#target = moveTarget(this.ctx.host, this.data, this.inst, this.op.target_node, this.op.iallocator, 'migrate');
    const hvMode = filledHvParams(this.ctx.host, this.data, this.inst)['migration_mode'];
    this.#live = this.op.mode ? this.op.mode === 'live' : this.op.live ?? hvMode !== 'non-live';
  }

  async exec(): Promise<null> {
    if (this.op.cleanup) return this.#cleanup();
    const running = await isRunning(this.ctx, this.inst);
    if (!running) {
      if (!this.op.allow_failover) throw new GanetiError('GNT_INSTANCE_STATE', { instance: this.inst.name, problem: 'is not running, so it cannot be migrated; use gnt-instance failover, or migrate --allow-failover' });
      this.ctx.feedback(` - INFO: instance ${this.inst.name} is not running; failing it over instead`);
      await failOver(this.ctx, this.inst, this.#source, this.#target, { ignoreConsistency: false, shutdownTimeout: 120 });
      return null;
    }
    await checkFreeMemory(this.ctx, this.data, this.#target, this.inst.name, this.inst.hypervisor, filledBeParams(this.data, this.inst), 'minmem');
    await this.#migrate();
    return null;
  }

  async #call<T>(node: NodeView, proc: string, args: unknown[], step: string): Promise<T> {
    const rpc = await this.ctx.rpc();
    const r = await rpc.callNode<T>(proc, rpcNode(node), args, { signal: this.ctx.signal });
    if (r?.success) return r.payload;
    throw new GanetiError('GNT_INSTANCE_MIGRATION_FAILED', { instance: this.inst.name, source: this.#source.name, target: this.#target.name, reason: `${step} on ${node.name}: ${r?.error ?? 'no answer'}` });
  }

  async #migrate(): Promise<void> {
    const data = this.data;
    const inst = this.inst;
    const [src, dst] = [this.#source, this.#target];
    const rtSrc = runtimeOf(this.ctx, data, inst);
    const rtDst = runtimeOf(this.ctx, data, inst, dst.uuid);
    const drbd = diskReach(this.ctx.host, data, inst) === 'internal';
    this.ctx.feedback(`* checking the disks and preparing the migration of ${inst.name} from ${src.name} to ${dst.name} (${this.#live ? 'live' : 'non-live'})`);
    if (drbd) await this.#dualPrimary(true);
    const info = await this.#call<string>(src, 'migration_info', [rtSrc], 'gathering the migration information');
    try {
      this.ctx.feedback(`* preparing ${dst.name} to accept the instance`);
      await this.#call(dst, 'accept_instance', [rtDst, info, migrationAddress(dst), wireDisks(this.ctx, data, inst, dst)], 'accepting the instance');
      this.ctx.feedback(`* migrating instance to ${dst.name}`);
      await this.#call(src, 'instance_migrate', [data.cluster.cluster_name, rtSrc, [dst.name, migrationAddress(dst)], this.#live], 'migrating');
      await this.#waitForMigration(src, rtSrc);
      await this.#call(dst, 'instance_finalize_migration_dst', [rtDst, info, true], 'finalizing on the target');
    } catch (e) {
      this.ctx.feedback(` - WARNING: migration failed (${describeError(e)}); aborting: the instance stays on ${src.name}`);
      const rpc = await this.ctx.rpc();
      // the target may have accepted part of it: it tears down whatever it holds
      await rpc.callNode('instance_finalize_migration_dst', rpcNode(dst), [rtDst, info, false]).catch(() => undefined);
      await rpc.callNode('instance_finalize_migration_src', rpcNode(src), [rtSrc, false, this.#live]).catch(() => undefined);
      if (drbd) await this.#dualPrimary(false).catch((u: unknown) => this.ctx.feedback(` - WARNING: could not bring drbd back to one primary: ${describeError(u)}`));
      else await this.#shutdownDisksOn(dst);
      throw e;
    }
    // from here the instance runs on the target: record it before finishing on the source
    await this.ctx.config!.update((txn) => {
      txn.edit('instances', inst.uuid).primary_node = dst.uuid;
    });
    try {
      await this.#call(src, 'instance_finalize_migration_src', [rtSrc, true, this.#live], 'finalizing on the source');
    } catch (e) {
      this.ctx.feedback(` - WARNING: the instance runs on ${dst.name}, but ${src.name} could not clean up: ${describeError(e)}`);
    }
    if (drbd) await this.#dualPrimary(false, src);
    else await this.#shutdownDisksOn(src);
    this.ctx.feedback('* done');
  }

  /** Polls the source until the transfer is over, reporting progress as Ganeti does. */
  async #waitForMigration(src: NodeView, rt: unknown): Promise<void> {
    for (;;) {
      const st = await this.#call<MigrationStatus>(src, 'instance_get_migration_status', [rt], 'asking the migration status');
      if (st.status === 'completed') return;
      if (st.status !== 'active' && st.status !== 'postcopy-active') throw new GanetiError('GNT_INSTANCE_MIGRATION_FAILED', { instance: this.inst.name, source: src.name, target: this.#target.name, reason: `the hypervisor reports the migration ${st.status}` });
      if (st.total_ram) this.ctx.feedback(`* memory transfer progress: ${((100 * (st.transferred_ram ?? 0)) / st.total_ram).toFixed(2)} %`);
      this.ctx.signal.throwIfAborted();
      await new Promise((r) => setTimeout(r, STATUS_POLL_MS));
    }
  }

  async #shutdownDisksOn(node: NodeView): Promise<void> {
    const rpc = await this.ctx.rpc();
    for (const w of wireDisks(this.ctx, this.data, this.inst, node)) {
      const r = await rpc.callNode('blockdev_shutdown', rpcNode(node), [w]).catch((e: unknown) => ({ success: false, error: describeError(e) }));
      if (!r?.success) this.ctx.feedback(` - WARNING: could not shut down ${w.iv_name ?? w.uuid} on ${node.name}: ${(r as { error?: string }).error ?? 'no answer'}`);
    }
  }

  /**
   * drbd around a migration (Ganeti's _GoStandalone/_GoReconnect): both ends disconnect and
   * reconnect allowing two primaries, then wait for sync; afterwards `demote` (the old
   * primary) closes its side and the pair reconnects with one primary.
   */
  async #dualPrimary(on: boolean, demote: NodeView = this.#target): Promise<void> {
    const data = this.data;
    const inst = this.fresh();
    const nodes = [this.#source, this.#target];
    const wires = (n: NodeView) => wireDisks(this.ctx, data, inst, n);
    await this.#call(demote, 'blockdev_close', [inst.name, wires(demote)], 'making the disks secondary');
    for (const n of nodes) await this.#call(n, 'drbd_disconnect_net', [wires(n)], 'disconnecting the disks');
    for (const n of nodes) await this.#call(n, 'drbd_attach_net', [wires(n), on], `reconnecting the disks${on ? ' (dual primary)' : ''}`);
    const primary = requireNode(data, inst.primary_node, inst.primary_node);
    for (;;) {
      const [done] = await this.#call<[boolean, number | null]>(primary, 'drbd_wait_sync', [wires(primary)], 'waiting for the disks to sync');
      if (done) break;
      await new Promise((r) => setTimeout(r, STATUS_POLL_MS));
    }
  }

  /** --cleanup: the node that runs the instance is (or stays) its primary; both sides are finalized. */
  async #cleanup(): Promise<null> {
    const inst = this.inst;
    const [src, dst] = [this.#source, this.#target];
    const onSrc = await isRunning(this.ctx, inst, src.uuid);
    const onDst = await isRunning(this.ctx, inst, dst.uuid);
    if (onSrc === null || onDst === null) throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: `cannot be checked: node ${onSrc === null ? src.name : dst.name} did not answer` });
    if (onSrc && onDst) throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: `seems to be running on two nodes (${src.name} and ${dst.name}); will not continue` });
    if (!onSrc && !onDst) throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: "does not seem to be running at all; it is safer to repair by running 'gnt-instance stop' to ensure disk shutdown, and then restarting it" });
    const data = this.data;
    const rtSrc = runtimeOf(this.ctx, data, inst);
    const rtDst = runtimeOf(this.ctx, data, inst, dst.uuid);
    const rpc = await this.ctx.rpc();
    if (onDst) {
      this.ctx.feedback(`* instance running on secondary node (${dst.name}), updating config`);
      await this.ctx.config!.update((txn) => {
        txn.edit('instances', inst.uuid).primary_node = dst.uuid;
      });
      await rpc.callNode('instance_finalize_migration_dst', rpcNode(dst), [rtDst, '', true]).catch(() => undefined);
      const r = await rpc.callNode('instance_finalize_migration_src', rpcNode(src), [rtSrc, true, this.#live]).catch((e: unknown) => ({ success: false, error: describeError(e) }));
      if (!r?.success) this.ctx.feedback(` - WARNING: could not clean up on ${src.name}: ${(r as { error?: string }).error}`);
      if (diskReach(this.ctx.host, data, inst) !== 'internal') await this.#shutdownDisksOn(src);
    } else {
      this.ctx.feedback(`* instance confirmed to be running on its primary node (${src.name})`);
      await rpc.callNode('instance_finalize_migration_dst', rpcNode(dst), [rtDst, '', false]).catch(() => undefined);
      await rpc.callNode('instance_finalize_migration_src', rpcNode(src), [rtSrc, false, this.#live]).catch(() => undefined);
      if (diskReach(this.ctx.host, data, inst) !== 'internal') await this.#shutdownDisksOn(dst);
    }
    return null;
  }
}
