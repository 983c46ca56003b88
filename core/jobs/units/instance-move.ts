import { randomUUID } from 'node:crypto';
import { GanetiError, describeError } from '../../errors/index.js';
import type { DeepReadonly, Disk } from '../../config/index.js';
import type { LogicalId } from '../../contracts/storage.js';
import { newLogicalId } from '../../storage/logical-id.js';
import { filledBeParams } from '../../instance/params.js';
import type { HookEnvValue, HookNodes } from '../logical-unit.js';
import type { OpInstanceMove } from '../opcodes/definitions.js';
import { payloadOf, wireDisk } from './disk-common.js';
import { InstanceUnit, diskTemplateOf, instanceDisks, requireNode, rpcNode, runtimeOf, startInstance, type NodeView } from './instance-common.js';
import { checkFreeMemory } from './instance-memory.js';
import { anyTarget as resolveTarget } from './instance-placement.js';

/** Templates whose data can be copied to a new disk on another node (Ganeti's DTS_COPYABLE). */
export const COPYABLE_TEMPLATES = Object.freeze(['ext', 'file', 'plain', 'rbd', 'sharedfile', 'gluster']);

const MIB = 1024 * 1024;
/** Bytes a copy call moves (see core/rpc/disk-copy-calls.ts). */
const CHUNK = MIB;

type DiskView = DeepReadonly<Disk>;

/**
 * OP_INSTANCE_MOVE: stops the instance, creates its disks anew on the target node, copies
 * their data there (the master reads each disk from the source a chunk at a time and
 * writes it on the target: blockdev_read_chunk / blockdev_write_chunk, instead of Ganeti's
 * import/export daemons), then records the new disks and primary, removes the old disks and
 * starts the instance there if it was marked up. The new disks get new names (a fresh
 * logical id), so a storage folder shared by the nodes never has source and target on the
 * same file. Until the config is written, a failure removes what was made on the target
 * and restarts the instance on the source.
 */
export class InstanceMoveUnit extends InstanceUnit<OpInstanceMove> {
  override readonly hookPath = 'instance-move';
  #source!: NodeView;
  #target!: NodeView;

  override checkPrereq(): Promise<void> | void {
    super.checkPrereq();
    const data = this.data;
    const template = diskTemplateOf(data, this.inst);
    if (!COPYABLE_TEMPLATES.includes(template))
      throw new GanetiError('GNT_INSTANCE_NOT_MOVABLE', { instance: this.inst.name, template, action: 'copying its disks to another node', hint: `move works for ${COPYABLE_TEMPLATES.join(', ')}${template === 'diskless' ? '; a diskless instance fails over instead' : ''}` });
    this.#source = requireNode(data, this.inst.primary_node, this.inst.primary_node);
    this.#target = resolveTarget(data, this.inst, this.op.target_node, null, 'move');
    if (this.inst.admin_state === 'up') return checkFreeMemory(this.ctx, data, this.#target, this.inst.name, this.inst.hypervisor, filledBeParams(data, this.inst), 'maxmem');
  }

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    return { TARGET_NODE: this.#target.name, SHUTDOWN_TIMEOUT: this.op.shutdown_timeout };
  }

  override hooksNodes(): HookNodes {
    const nodes = [...new Set([this.data.cluster.master_node, this.#source.uuid, this.#target.uuid])];
    return { pre: nodes, post: nodes };
  }

  async exec(): Promise<null> {
    const inst = this.inst;
    const data = this.data;
    const source = this.#source;
    const target = this.#target;
    const rpc = await this.ctx.rpc();
    const signal = this.ctx.signal;
    const wasUp = inst.admin_state === 'up';

    this.ctx.feedback(`* shutting down instance ${inst.name} on source node ${source.name}`);
    const stop = await rpc.callNode<'soft' | 'forced'>('instance_shutdown', rpcNode(source), [runtimeOf(this.ctx, data, inst), this.op.shutdown_timeout, []], { signal });
    if (!stop?.success) {
      if (!this.op.ignore_consistency)
        throw new GanetiError('GNT_INSTANCE_FAILED', { instance: inst.name, action: 'shut down', node: source.name, reason: `${stop?.error ?? 'no answer'} (use --ignore-consistency to move it anyway)` });
      this.ctx.feedback(` - WARNING: could not shut down instance ${inst.name} on ${source.name}: ${stop?.error ?? 'no answer'}; continuing (ignore consistency)`);
    }

    const disks = instanceDisks(data, inst);
    const made: DiskView[] = [];
    try {
      for (const [index, d] of disks.entries()) {
        const moved = await this.createOnTarget(d, index);
        made.push(moved);
        await this.copy(d, moved, index);
      }
    } catch (e) {
      this.ctx.feedback(` - WARNING: the move failed (${describeError(e)}); removing the new disks on ${target.name}`);
      await this.removeDisks(made, target);
      if (wasUp) await startInstance(this.ctx, inst).catch((u: unknown) => this.ctx.feedback(` - WARNING: could not restart ${inst.name} on ${source.name}: ${describeError(u)}`));
      throw e;
    }

    await this.ctx.config!.update((txn) => {
      const i = txn.edit('instances', inst.uuid);
      i.primary_node = target.uuid;
      i.disks_active = false;
      for (const m of made) {
        const d = txn.edit('disks', m.uuid);
        d.logical_id = [...m.logical_id] as Disk['logical_id'];
        d.nodes = [target.uuid];
      }
    });
    this.ctx.feedback(`* removing the old disks on ${source.name}`);
    await this.removeDisks(disks, source);
    if (wasUp) {
      this.ctx.feedback(`* starting instance ${inst.name} on node ${target.name}`);
      await startInstance(this.ctx, this.fresh());
      await this.ctx.config!.update((txn) => {
        txn.edit('instances', inst.uuid).disks_active = true;
      });
    }
    return null;
  }

  /** A disk like `d`, under a new name, created on the target (the node returns its final logical id). */
  private async createOnTarget(d: DiskView, index: number): Promise<DiskView> {
    const data = this.data;
    const target = this.#target;
    const old = d.logical_id as readonly unknown[];
    const fresh = newLogicalId({ template: d.dev_type, uuid: randomUUID(), index, ...(d.dev_type === 'plain' ? { vg: String(old[0]) } : {}), ...(d.dev_type === 'ext' ? { provider: String(old[0]) } : {}) }, data.cluster);
    const draft: DiskView = { ...d, logical_id: fresh as DiskView['logical_id'], nodes: [target.uuid] };
    this.ctx.feedback(`* creating disk ${index} (${d.dev_type}, ${d.size} MiB) on node ${target.name}`);
    const rpc = await this.ctx.rpc();
    const excl = Boolean(target.ndparams?.['exclusive_storage'] ?? data.cluster.ndparams?.['exclusive_storage']);
    const w = wireDisk(this.ctx, data, draft, target);
    const id = payloadOf(await rpc.callNode<LogicalId>('blockdev_create', rpcNode(target), [w, d.size, null, true, `originstname+${this.inst.name}`, excl], { signal: this.ctx.signal }), 'create', draft);
    return { ...draft, logical_id: id as DiskView['logical_id'] };
  }

  /** Copies the disk's bytes from the source to the target, chunk by chunk. */
  private async copy(from: DiskView, to: DiskView, index: number): Promise<void> {
    const data = this.data;
    const rpc = await this.ctx.rpc();
    const src = wireDisk(this.ctx, data, from, this.#source);
    const dst = wireDisk(this.ctx, data, to, this.#target);
    const total = from.size * MIB;
    this.ctx.feedback(`* copying disk ${index} (${from.size} MiB) from ${this.#source.name} to ${this.#target.name}`);
    for (let offset = 0; offset < total; offset += CHUNK) {
      if (this.ctx.signal.aborted) throw new GanetiError('GNT_INSTANCE_DISK_COPY', { path: String(from.logical_id[1] ?? from.uuid), action: 'copy', reason: 'the job was cancelled' });
      const chunk = payloadOf(await rpc.callNode<unknown>('blockdev_read_chunk', rpcNode(this.#source), [src, offset, Math.min(CHUNK, total - offset)], { signal: this.ctx.signal }), `read (on ${this.#source.name})`, from);
      payloadOf(await rpc.callNode<number>('blockdev_write_chunk', rpcNode(this.#target), [dst, offset, chunk], { signal: this.ctx.signal }), `write (on ${this.#target.name})`, to);
    }
  }

  private async removeDisks(disks: readonly DiskView[], node: NodeView): Promise<void> {
    const data = this.data;
    const rpc = await this.ctx.rpc();
    for (const d of disks) {
      const w = wireDisk(this.ctx, data, d, node);
      await rpc.callNode('blockdev_shutdown', rpcNode(node), [w]).catch(() => undefined);
      const r = await rpc.callNode('blockdev_remove', rpcNode(node), [w]);
      if (!r?.success) this.ctx.feedback(` - WARNING: could not remove disk ${d.iv_name ?? d.uuid} on ${node.name}: ${r?.error ?? 'no answer'}`);
    }
  }
}
