import { GanetiError } from '../../errors/index.js';
import type { Disk } from '../../config/index.js';
import type { OpInstanceRecreateDisks } from '../opcodes/definitions.js';
import { InstanceUnit, instanceDisks, requireNode, requireOnlineNode } from './instance-common.js';
import { createDiskOnNodes, removeDiskOnNodes } from './instance-disk-ops.js';
import { requireInstanceState } from './instance-state.js';
import type { NodeView } from './node-common.js';

/**
 * OP_INSTANCE_RECREATE_DISKS: the instance must be stopped; the listed disks (default all)
 * are made anew on their nodes: what is left of each is removed (missing files are fine),
 * then it is created empty with its size (or the size given). With `nodes` the disks move
 * to the new node(s) and the config follows (a new primary for non-mirrored templates).
 * As in Ganeti, disks that move must all be recreated.
 */
export class InstanceRecreateDisksUnit extends InstanceUnit<OpInstanceRecreateDisks> {
  override readonly hookPath = 'instance-recreate-disks';
  #indices: number[] = [];
  #nodes: NodeView[] = [];

  override checkArguments(): void {
    if (this.op.iallocator) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'iallocator', problem: 'iallocators are not supported yet; give the nodes with -n' });
    const seen = new Set<number>();
    for (const [idx, params] of this.op.disks) {
      if (seen.has(idx)) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'disks', problem: `disk ${idx} is given more than once` });
      seen.add(idx);
      for (const k of Object.keys(params)) if (k !== 'size' && k !== 'mode') throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `disks[${idx}].${k}`, problem: 'only size and mode can change when recreating' });
      if (params['size'] !== undefined && (!Number.isInteger(params['size']) || (params['size'] as number) < 1)) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `disks[${idx}].size`, problem: `must be a whole number of MiB above 0, not ${JSON.stringify(params['size'])}` });
      if (params['mode'] !== undefined && params['mode'] !== 'rw' && params['mode'] !== 'ro') throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `disks[${idx}].mode`, problem: `must be rw or ro, not ${JSON.stringify(params['mode'])}` });
    }
  }

  override async checkPrereq(): Promise<void> {
    super.checkPrereq();
    const data = this.data;
    const inst = this.inst;
    const disks = instanceDisks(data, inst);
    if (disks.length === 0) throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: 'has no disks, nothing to recreate' });
    for (const [idx] of this.op.disks) if (idx >= disks.length) throw new GanetiError('GNT_INSTANCE_DISK_INDEX', { instance: inst.name, index: String(idx), count: String(disks.length) });
    this.#indices = this.op.disks.length ? this.op.disks.map(([i]) => i).sort((a, b) => a - b) : disks.map((_, i) => i);
    const current = [inst.primary_node, ...new Set(disks.flatMap((d) => d.nodes).filter((n) => n !== inst.primary_node))];
    if (this.op.nodes.length) {
      if (this.op.nodes.length !== current.length) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'nodes', problem: `the instance has ${current.length} node(s), but ${this.op.nodes.length} were given` });
      this.#nodes = this.op.nodes.map((n) => requireNode(data, n));
      if (new Set(this.#nodes.map((n) => n.uuid)).size !== this.#nodes.length) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'nodes', problem: 'the same node is given twice' });
      const moving = this.#nodes.some((n, i) => n.uuid !== current[i]);
      if (moving && this.#indices.length !== disks.length) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'disks', problem: "can't recreate disks partially and change the nodes at the same time" });
    } else {
      this.#nodes = current.map((u) => requireNode(data, u, u));
    }
    for (const n of this.#nodes) requireOnlineNode(n, 'nodes');
    // The primary that holds the disks must say the instance is not running there.
    await requireInstanceState(this.ctx, inst, ['down', 'offline'], 'cannot recreate disks');
  }

  async exec(): Promise<null> {
    const data = this.data;
    const inst = this.inst;
    const disks = instanceDisks(data, inst);
    const oldNodes = [inst.primary_node, ...new Set(disks.flatMap((d) => d.nodes).filter((n) => n !== inst.primary_node))];
    const map = new Map(oldNodes.map((u, i) => [u, this.#nodes[i]!.uuid]));
    const newPrimary = this.#nodes[0]!.uuid;
    const made: Disk[] = [];
    for (const idx of this.#indices) {
      const d = disks[idx]!;
      const params = this.op.disks.find(([i]) => i === idx)?.[1] ?? {};
      // What is left where the disk was (nothing, when the file was lost): removal failures are only warnings.
      this.ctx.feedback(`* removing what is left of disk ${idx}`);
      await removeDiskOnNodes(this.ctx, data, { ...d, iv_name: `disk/${idx}` }, false);
      const next: Disk = {
        ...(structuredClone(d) as Disk), iv_name: `disk/${idx}`, nodes: d.nodes.map((n) => map.get(n) ?? n),
        ...(params['size'] !== undefined ? { size: params['size'] as number } : {}), ...(params['mode'] !== undefined ? { mode: params['mode'] as 'rw' | 'ro' } : {}),
      };
      made.push(await createDiskOnNodes(this.ctx, data, next, newPrimary, inst.name));
    }
    await this.ctx.config!.update((txn) => {
      for (const d of made) {
        const e = txn.edit('disks', d.uuid);
        e.nodes = [...d.nodes];
        e.logical_id = d.logical_id;
        e.size = d.size;
        e.mode = d.mode;
      }
      if (newPrimary !== inst.primary_node) txn.edit('instances', inst.uuid).primary_node = newPrimary;
    });
    return null;
  }
}
