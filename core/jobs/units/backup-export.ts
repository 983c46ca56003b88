import { GanetiError, describeError } from '../../errors/index.js';
import type { HookEnvValue, HookNodes } from '../logical-unit.js';
import type { OpBackupExport } from '../opcodes/definitions.js';
import { InstanceUnit, diskTemplateOf, instanceDisks, isRunning, requireNode, requireOnlineNode, rpcNode, runtimeOf, shutdownDisks, shutdownInstance, startInstance, wireDisks, type NodeView } from './instance-common.js';
import { filledOsParams } from './instance-os.js';
import { exportIni } from './export-ini.js';
import { relayExportFile } from './export-transfer.js';
import { removeInstanceData } from './instance-remove.js';
import type { ParamDict } from '../../config/index.js';

/**
 * OP_BACKUP_EXPORT (gnt-backup export, local mode): the instance is stopped (unless
 * `shutdown` is false), each disk's dump is written by the OS export script on the primary
 * into the export folder, moved to the target node when that is another node, and the export
 * is finalized there (config.ini, then `<name>.new` renamed to `<name>`), replacing older
 * exports of the instance on other nodes. The instance is started again if it ran, or
 * removed with `remove_instance`. Returns Ganeti's `[finalize result, [per-disk result]]`.
 */
export class BackupExportUnit extends InstanceUnit<OpBackupExport> {
  override readonly hookPath = 'instance-export';
  #target!: NodeView;

  override checkArguments(): void {
    if (this.op.mode !== 'local') throw new GanetiError('GNT_OPCODE_INVALID', { opcode: 'OP_BACKUP_EXPORT', field: 'mode', problem: 'remote exports (to another cluster) are not supported; use mode local' });
    if (this.op.compress !== 'none') throw new GanetiError('GNT_OPCODE_INVALID', { opcode: 'OP_BACKUP_EXPORT', field: 'compress', problem: `'${this.op.compress}' is not supported (only none)` });
    if (this.op.zero_free_space) throw new GanetiError('GNT_OPCODE_INVALID', { opcode: 'OP_BACKUP_EXPORT', field: 'zero_free_space', problem: 'is not supported' });
  }

  override checkPrereq(): void {
    super.checkPrereq();
    this.#target = requireNode(this.data, this.op.target_node);
    requireOnlineNode(this.#target, 'target_node');
    requireOnlineNode(requireNode(this.data, this.inst.primary_node, this.inst.primary_node), 'primary node');
    if (this.inst.disks.length === 0) throw new GanetiError('GNT_INSTANCE_STATE', { instance: this.inst.name, problem: 'has no disks, so there is nothing to export' });
  }

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    return { EXPORT_MODE: this.op.mode, EXPORT_NODE: this.#target.name, EXPORT_DO_SHUTDOWN: this.op.shutdown, REMOVE_INSTANCE: this.op.remove_instance, SHUTDOWN_TIMEOUT: this.op.shutdown_timeout };
  }

  override hooksNodes(): HookNodes {
    const nodes = [...new Set([this.data.cluster.master_node, this.inst.primary_node, this.#target.uuid])];
    return { pre: nodes, post: nodes };
  }

  async exec(): Promise<[boolean, boolean[]]> {
    const inst = this.inst;
    const data = this.data;
    const pnode = requireNode(data, inst.primary_node, inst.primary_node);
    const running = (await isRunning(this.ctx, inst)) === true;
    if (running && this.op.shutdown) {
      this.ctx.feedback(`Shutting down instance ${inst.name}`);
      await shutdownInstance(this.ctx, inst, this.op.shutdown_timeout);
    }
    const rpc = await this.ctx.rpc();
    const disks = instanceDisks(data, inst);
    const local = this.#target.uuid === pnode.uuid;
    const staging = `${inst.name}${local ? '.new' : '.outgoing'}`;
    const osInfo = { osparams: filledOsParams(data, inst.os, inst.osparams, inst.osparams_private ?? {}) as ParamDict, ctime: inst.ctime, mtime: inst.mtime };
    const results: boolean[] = [];
    try {
      for (const [i, d] of disks.entries()) {
        this.ctx.feedback(`Exporting disk/${i} from ${pnode.name} to ${this.#target.name}`);
        const file = `${staging}/${d.uuid}`;
        const r = await rpc.callNode<number>('instance_os_export', rpcNode(pnode), [runtimeOf(this.ctx, data, inst), wireDisks(this.ctx, data, inst, pnode), osInfo, i, file], { signal: this.ctx.signal });
        if (!r?.success) throw new GanetiError('GNT_INSTANCE_FAILED', { instance: inst.name, action: `export disk/${i} of`, node: pnode.name, reason: r?.error ?? 'no answer' });
        if (!local) await relayExportFile(this.ctx, pnode, file, this.#target, `${inst.name}.new/${d.uuid}`);
        results.push(true);
      }
      const fin = await rpc.callNode('finalize_export', rpcNode(this.#target), [inst.name, exportIni(data, inst, disks, diskTemplateOf(data, inst))], { signal: this.ctx.signal });
      if (!fin?.success) throw new GanetiError('GNT_INSTANCE_FAILED', { instance: inst.name, action: 'finalize the export of', node: this.#target.name, reason: fin?.error ?? 'no answer' });
    } catch (e) {
      await rpc.callNode('export_remove', rpcNode(this.#target), [`${inst.name}.new`]).catch(() => undefined);
      throw e;
    } finally {
      if (!local) await rpc.callNode('export_remove', rpcNode(pnode), [staging]).catch(() => undefined);
      if (running && this.op.shutdown && !this.op.remove_instance) {
        this.ctx.feedback(`Starting instance ${inst.name}`);
        await startInstance(this.ctx, this.fresh()).catch((e: unknown) => this.ctx.feedback(` - WARNING: could not start the instance again: ${describeError(e)}`));
      } else if (!running) await shutdownDisks(this.ctx, this.fresh());
    }
    await this.#removeOlderExports();
    if (this.op.remove_instance) {
      this.ctx.feedback(`Removing instance ${inst.name}`);
      await removeInstanceData(this.ctx, this.fresh(), (what, e) => {
        if (!this.op.ignore_remove_failures) throw e;
        this.ctx.feedback(` - WARNING: ${what}: ${describeError(e)}`);
      });
    }
    return [true, results];
  }

  /** Ganeti keeps one export per instance: the ones on other nodes go. */
  async #removeOlderExports(): Promise<void> {
    const others = Object.values(this.data.nodes).filter((n) => !n.offline && n.uuid !== this.#target.uuid);
    if (!others.length) return;
    const rpc = await this.ctx.rpc();
    const lists = await rpc.call<string[]>('export_list', others.map((n) => rpcNode(n)), [], { signal: this.ctx.signal });
    for (const [i, r] of lists.entries()) {
      if (!r.success || !r.payload.includes(this.inst.name)) continue;
      this.ctx.feedback(`Removing old export of ${this.inst.name} on ${others[i]!.name}`);
      await rpc.callNode('export_remove', rpcNode(others[i]!), [this.inst.name], { signal: this.ctx.signal }).catch(() => undefined);
    }
  }
}
