import { randomUUID } from 'node:crypto';
import { GanetiError } from '../../errors/index.js';
import type { DeepReadonly, Disk } from '../../config/index.js';
import { DRBD_TEMPLATE, drbdChildren, drbdIdParts, reserveDrbd } from '../../storage/drbd-layout.js';
import type { HookEnvValue, HookNodes } from '../logical-unit.js';
import type { OpInstanceReplaceDisks } from '../opcodes/definitions.js';
import { payloadOf, wireDisk } from './disk-common.js';
import { InstanceUnit, instanceDisks, requireNode, rpcNode, secondaryNodes, type NodeView } from './instance-common.js';

type FrozenDisk = DeepReadonly<Disk>;
const SYNC_POLL_MS = 500;

/**
 * OP_INSTANCE_REPLACE_DISKS (gnt-instance replace-disks) for drbd instances, Ganeti's two
 * procedures:
 * - on the primary or the secondary (`-p`, `-s`): new data and meta LVs are made on that
 *   node, the drbd device drops its old ones and takes the new ones (renamed to the old
 *   names, so the config does not change), resyncs from the peer, then the old LVs go;
 * - a new secondary (`-n NODE`): the drbd device and its LVs are made on the new node
 *   without network, the old secondary's device is shut down, the primary disconnects, the
 *   config names the new node and its minor, both ends connect and resync, and the old
 *   secondary's LVs are removed.
 * `-a` (auto) replaces on the side whose local disk the nodes report faulty.
 */
export class InstanceReplaceDisksUnit extends InstanceUnit<OpInstanceReplaceDisks> {
  override readonly hookPath = 'mirrors-replace';
  #indices: number[] = [];
  #newSecondary: NodeView | null = null;
  #oldSecondary: NodeView | null = null;

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    return { MODE: this.op.mode, NEW_SECONDARY: this.#newSecondary?.name ?? null, OLD_SECONDARY: this.#oldSecondary?.name ?? null };
  }

  override hooksNodes(): HookNodes {
    const nodes = [...new Set([this.data.cluster.master_node, this.inst.primary_node, ...(this.#newSecondary ? [this.#newSecondary.uuid] : [])])];
    return { pre: nodes, post: nodes };
  }

  override checkPrereq(): void {
    super.checkPrereq();
    const data = this.data;
    const disks = instanceDisks(data, this.inst);
    if (disks.length === 0 || disks.some((d) => d.dev_type !== DRBD_TEMPLATE))
      throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'instance_name', problem: `replace-disks works on drbd instances only; '${this.inst.name}' is ${disks[0]?.dev_type ?? 'diskless'}` });
    this.#indices = this.op.disks.length ? [...this.op.disks] : disks.map((_, i) => i);
    for (const i of this.#indices) if (i >= disks.length) throw new GanetiError('GNT_INSTANCE_DISK_INDEX', { instance: this.inst.name, index: String(i), count: String(disks.length) });
    const sec = secondaryNodes(data, this.inst)[0];
    this.#oldSecondary = sec ? requireNode(data, sec, sec) : null;
    const pnode = requireNode(data, this.inst.primary_node, this.inst.primary_node);
    if (pnode.offline) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'primary node', node: pnode.name, problem: 'is offline' });
    if (this.op.mode === 'replace_new_secondary') {
      if (this.op.iallocator && !this.op.remote_node) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'iallocator', problem: 'iallocators are not supported yet; give the new secondary with -n' });
      if (!this.op.remote_node) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'remote_node', problem: 'replacing the secondary needs the new secondary node (-n NODE)' });
      const n = requireNode(data, this.op.remote_node);
      if (n.uuid === pnode.uuid) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'remote_node', node: n.name, problem: 'is the primary node of the instance' });
      if (n.uuid === this.#oldSecondary?.uuid) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'remote_node', node: n.name, problem: 'is already the secondary node of the instance' });
      const problem = n.offline ? 'is offline' : n.drained ? 'is drained' : n.vm_capable === false ? 'is not vm_capable' : null;
      if (problem) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'remote_node', node: n.name, problem });
      this.#newSecondary = n;
    } else if (this.op.remote_node) {
      throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'remote_node', problem: 'a node is only given when replacing the secondary (-n)' });
    } else if (this.#oldSecondary?.offline && this.op.mode !== 'replace_on_primary') {
      throw new GanetiError('GNT_INSTANCE_NODE', { field: 'secondary node', node: this.#oldSecondary.name, problem: 'is offline; replace the secondary with -n NODE' });
    }
  }

  async exec(): Promise<null> {
    const wasActive = this.inst.disks_active;
    if (!wasActive) await this.#assembleAll();
    try {
      switch (this.op.mode) {
        case 'replace_on_primary':
          await this.#replaceLocal(this.inst.primary_node);
          break;
        case 'replace_on_secondary':
          await this.#replaceLocal(this.#oldSecondary!.uuid);
          break;
        case 'replace_new_secondary':
          await this.#changeSecondary(this.#newSecondary!);
          break;
        case 'replace_auto': {
          const side = await this.#faultySide();
          if (side === null) this.ctx.feedback(' - INFO: no disks need replacement');
          else await this.#replaceLocal(side);
        }
      }
    } finally {
      if (!wasActive) await this.#shutdownAll();
    }
    return null;
  }

  #disk(i: number): FrozenDisk {
    return instanceDisks(this.data, this.fresh())[i]!;
  }

  async #call<T>(node: NodeView, proc: string, args: unknown[], what: string, d: FrozenDisk): Promise<T> {
    const rpc = await this.ctx.rpc();
    return payloadOf(await rpc.callNode<T>(proc, rpcNode(node), args, { signal: this.ctx.signal }), `${what} (on ${node.name})`, { dev_type: d.dev_type, name: d.iv_name ?? null, uuid: d.uuid });
  }

  /** The instance's disks up on both nodes (secondary first), for an instance whose disks were down. */
  async #assembleAll(): Promise<void> {
    const data = this.data;
    const inst = this.fresh();
    const nodes = [...secondaryNodes(data, inst), inst.primary_node];
    for (const nu of nodes) {
      const node = requireNode(data, nu, nu);
      for (const [i, d] of instanceDisks(data, inst).entries()) await this.#call(node, 'blockdev_assemble', [wireDisk(this.ctx, data, d, node), inst.name, nu === inst.primary_node, i], 'assemble', d);
    }
  }

  async #shutdownAll(): Promise<void> {
    const data = this.data;
    const inst = this.fresh();
    const rpc = await this.ctx.rpc();
    for (const nu of [inst.primary_node, ...secondaryNodes(data, inst)]) {
      const node = requireNode(data, nu, nu);
      for (const d of instanceDisks(data, inst)) await rpc.callNode('blockdev_shutdown', rpcNode(node), [wireDisk(this.ctx, data, d, node)], { signal: this.ctx.signal });
    }
  }

  /** The node whose local disks the mirror status calls faulty (ldisk_status 4), or null. */
  async #faultySide(): Promise<string | null> {
    const data = this.data;
    const rpc = await this.ctx.rpc();
    for (const nu of [this.inst.primary_node, ...secondaryNodes(data, this.inst)]) {
      const node = requireNode(data, nu, nu);
      const wires = this.#indices.map((i) => wireDisk(this.ctx, data, this.#disk(i), node));
      const r = await rpc.callNode<[boolean, { ldisk_status: number } | string][]>('blockdev_getmirrorstatus', rpcNode(node), [wires], { signal: this.ctx.signal });
      if (!r?.success) continue;
      if (r.payload.some(([ok, st]) => !ok || (typeof st === 'object' && st.ldisk_status === 4))) return nu;
    }
    return null;
  }

  async #replaceLocal(nodeUuid: string): Promise<void> {
    const data = this.data;
    const node = requireNode(data, nodeUuid, nodeUuid);
    const excl = Boolean(node.ndparams?.['exclusive_storage'] ?? data.cluster.ndparams?.['exclusive_storage']);
    const stamp = Math.floor(Date.now() / 1000);
    const old: FrozenDisk[] = [];
    for (const i of this.#indices) {
      const d = this.#disk(i);
      const [oldData, oldMeta] = d.children ?? [];
      if (!oldData || !oldMeta) throw new GanetiError('GNT_INSTANCE_STATE', { instance: this.inst.name, problem: `has a drbd disk ${i} without data and meta volumes in the config` });
      const id = drbdIdParts(d);
      const fresh = drbdChildren({ uuid: d.uuid, index: i, size: d.size, pnode: id.nodeA, snode: id.nodeB, vg: String(oldData.logical_id[0]), metavg: String(oldMeta.logical_id[0]), lvPrefix: randomUUID() }, Date.now() / 1000);
      this.ctx.feedback(`* replacing the volumes of disk/${i} on ${node.name}`);
      for (const c of fresh) await this.#call(node, 'blockdev_create', [wireDisk(this.ctx, data, c, node), c.size, null, false, '', excl], 'create a new volume', d);
      const w = wireDisk(this.ctx, data, d, node);
      const oldWires = [oldData, oldMeta].map((c) => wireDisk(this.ctx, data, c, node));
      await this.#call(node, 'blockdev_removechildren', [w, oldWires], 'detach the old volumes', d);
      // the new volumes take the old names, so the config keeps naming the disk's volumes
      const aside = [oldData, oldMeta].map((c) => [String(c.logical_id[0]), `${String(c.logical_id[1])}_replaced-${stamp}`]);
      await this.#call(node, 'blockdev_rename', [oldWires.map((ow, k) => [ow, aside[k]])], 'rename the old volumes', d);
      await this.#call(node, 'blockdev_rename', [fresh.map((c, k) => [wireDisk(this.ctx, data, c, node), [...[oldData, oldMeta][k]!.logical_id]])], 'rename the new volumes', d);
      await this.#call(node, 'blockdev_addchildren', [w, oldWires], 'attach the new volumes', d);
      old.push(...[oldData, oldMeta].map((c, k) => ({ ...c, logical_id: aside[k]! })));
    }
    await this.#waitSync();
    this.ctx.feedback(`* removing the old volumes on ${node.name}`);
    const rpc = await this.ctx.rpc();
    for (const c of old) {
      const r = await rpc.callNode('blockdev_remove', rpcNode(node), [wireDisk(this.ctx, data, c, node)], { signal: this.ctx.signal });
      if (!r?.success) this.ctx.feedback(` - WARNING: could not remove old volume ${String(c.logical_id[1])} on ${node.name}: ${r?.error ?? 'no answer'}`);
    }
  }

  async #changeSecondary(target: NodeView): Promise<void> {
    const data = this.data;
    const inst = this.inst;
    const pnode = requireNode(data, inst.primary_node, inst.primary_node);
    const oldSec = this.#oldSecondary!;
    const excl = Boolean(target.ndparams?.['exclusive_storage'] ?? data.cluster.ndparams?.['exclusive_storage']);
    const res = reserveDrbd(data, this.#indices.map(() => target.uuid), 0);
    try {
      const olds = this.#indices.map((i) => this.#disk(i));
      const news = olds.map((d, k) => {
        const id = drbdIdParts(d);
        const minor = res.minors.get(target.uuid)![k]!;
        const lid = id.nodeA === pnode.uuid ? [id.nodeA, target.uuid, id.port, id.minorA, minor, id.secret] : [target.uuid, id.nodeB, id.port, minor, id.minorB, id.secret];
        const nodes = [pnode.uuid, target.uuid];
        return { ...d, logical_id: lid, nodes, children: (d.children ?? []).map((c) => ({ ...c, nodes })) } as FrozenDisk;
      });
      for (const [k, d] of news.entries()) {
        this.ctx.feedback(`* creating disk/${this.#indices[k]} on the new secondary ${target.name}`);
        const standalone = wireDisk(this.ctx, data, d, target, { standalone: true });
        await this.#call(target, 'blockdev_create', [standalone, d.size, null, false, `originstname+${inst.name}`, excl], 'create', d);
        await this.#call(target, 'blockdev_assemble', [standalone, inst.name, false, this.#indices[k]], 'assemble without network', d);
      }
      const rpc = await this.ctx.rpc();
      if (!oldSec.offline) {
        this.ctx.feedback(`* shutting down the drbd devices on the old secondary ${oldSec.name}`);
        for (const d of olds) {
          const r = await rpc.callNode('blockdev_shutdown', rpcNode(oldSec), [wireDisk(this.ctx, data, d, oldSec)], { signal: this.ctx.signal });
          if (!r?.success) this.ctx.feedback(` - WARNING: could not shut down ${d.iv_name} on ${oldSec.name}: ${r?.error ?? 'no answer'}; carrying on`);
        }
      }
      this.ctx.feedback(`* detaching the primary's devices from the network`);
      await this.#call(pnode, 'drbd_disconnect_net', [olds.map((d) => wireDisk(this.ctx, data, d, pnode))], 'disconnect', olds[0]!);
      await this.ctx.config!.update((txn) => {
        for (const d of news) {
          const e = txn.edit('disks', d.uuid);
          e.logical_id = [...d.logical_id];
          e.nodes = [...d.nodes];
          e.children = (d.children ?? []).map((c) => ({ ...(c as Disk), nodes: [...c.nodes] }));
        }
      });
      const now = this.data;
      this.ctx.feedback(`* attaching the primary's and the new secondary's devices to the network`);
      for (const node of [pnode, target]) {
        await this.#call(node, 'drbd_attach_net', [news.map((d) => wireDisk(this.ctx, now, d, node)), false], 'connect', news[0]!);
      }
      await this.#waitSync();
      if (!oldSec.offline) {
        this.ctx.feedback(`* removing the old volumes on ${oldSec.name}`);
        for (const d of olds) {
          const r = await rpc.callNode('blockdev_remove', rpcNode(oldSec), [wireDisk(this.ctx, data, d, oldSec)], { signal: this.ctx.signal });
          if (!r?.success) this.ctx.feedback(` - WARNING: could not remove the old disk ${d.iv_name} on ${oldSec.name}: ${r?.error ?? 'no answer'}`);
        }
      }
    } finally {
      res.release();
    }
  }

  /** Polls the primary until the mirrors are in sync, reporting progress. */
  async #waitSync(): Promise<void> {
    const data = this.data;
    const inst = this.fresh();
    const pnode = requireNode(data, inst.primary_node, inst.primary_node);
    const wires = this.#indices.map((i) => wireDisk(this.ctx, data, instanceDisks(data, inst)[i]!, pnode));
    let last: number | null = -1;
    for (;;) {
      const [done, pct] = await this.#call<[boolean, number | null]>(pnode, 'drbd_wait_sync', [wires], 'check the resync', this.#disk(this.#indices[0]!));
      if (done) break;
      if (pct !== last) this.ctx.feedback(` - INFO: resync ${pct ?? 0}% done`);
      last = pct;
      this.ctx.signal.throwIfAborted();
      await new Promise((r) => setTimeout(r, SYNC_POLL_MS));
    }
    this.ctx.feedback(' - INFO: the disks are in sync');
  }
}
