import { GanetiError } from '../../errors/index.js';
import { ALL_SET, LogicalUnit } from '../logical-unit.js';
import type { OpRepairNodeStorage } from '../opcodes/definitions.js';
import { SO_FIX_CONSISTENCY } from '../../contracts/storage.js';
import { configData } from './group-params.js';
import { requireNode, rpcNode, type NodeView } from './node-common.js';
import { checkStorageType, checkStorageTypeEnabled, servingUnits, storageUnitArgs } from './node-storage-common.js';

/**
 * OP_REPAIR_NODE_STORAGE (`gnt-node repair-storage`, Ganeti's LURepairNodeStorage): runs the
 * fix-consistency operation on one unit of one node, under the node locks. A type is
 * repairable when the units serving it have `repair` (built in: lvm-vg).
 * Ganeti first refuses when instances with active disks on the node have faulty disks on
 * their other nodes (`ignore_consistency` turns that into a warning); ganeti-ts has no
 * instance disks yet, so there is nothing to check and the flag is accepted as it is.
 */
export class NodeRepairStorageUnit extends LogicalUnit<OpRepairNodeStorage> {
  override readonly requiresBgl = false;
  #node!: NodeView;
  #template: string | null = null;

  override checkArguments(): void {
    const type = this.op.storage_type;
    checkStorageType('storage_type', type);
    const anyRepairable = this.ctx.host.storage.entries().some((e) => (e.provider.storageUnits ?? []).some((u) => u.type === type && typeof u.repair === 'function'));
    if (!anyRepairable) throw new GanetiError('GNT_STORAGE_NOT_REPAIRABLE', { type });
  }

  override expandNames(): void {
    this.#node = requireNode(configData(this.ctx.config), this.op.node_name, this.op.node_uuid);
    // Ganeti locks this one node; the lock manager has no per-node names yet: the whole level
    this.neededLocks = { node: ALL_SET };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    checkStorageTypeEnabled(data, this.ctx.host, this.op.storage_type);
    const { template, units } = servingUnits(data, this.ctx.host, this.op.storage_type);
    if (typeof units.repair !== 'function') throw new GanetiError('GNT_STORAGE_NOT_REPAIRABLE', { type: this.op.storage_type });
    this.#template = template;
  }

  async exec(): Promise<null> {
    this.ctx.feedback(`Repairing storage unit '${this.op.name}' on ${this.#node.name} ...`);
    const data = configData(this.ctx.config);
    const rpc = await this.ctx.rpc();
    const args = [this.op.storage_type, storageUnitArgs(data, this.ctx.host.paths, this.op.storage_type, this.#template), this.op.name, SO_FIX_CONSISTENCY];
    const r = await rpc.callNode('storage_execute', rpcNode(this.#node), args);
    if (!r.success) throw new GanetiError('GNT_STORAGE_UNIT_FAILED', { action: 'repair', name: this.op.name, node: this.#node.name, reason: r.error });
    return null;
  }
}
