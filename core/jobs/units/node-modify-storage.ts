import { GanetiError } from '../../errors/index.js';
import { ALL_SET, LogicalUnit } from '../logical-unit.js';
import type { OpNodeModifyStorage } from '../opcodes/definitions.js';
import { configData } from './group-params.js';
import { requireNode, rpcNode, type NodeView } from './node-common.js';
import { checkStorageType, checkStorageTypeEnabled, pyList, servingUnits, storageUnitArgs } from './node-storage-common.js';

const OP = 'OP_NODE_MODIFY_STORAGE';
/** Ganeti's MODIFIABLE_STORAGE_FIELDS, for every type whose units can be modified. */
const MODIFIABLE_FIELDS = new Set(['allocatable']);

/**
 * OP_NODE_MODIFY_STORAGE (`gnt-node modify-storage`, Ganeti's LUNodeModifyStorage): changes
 * a unit's modifiable fields (`allocatable`) on one node, under the node locks. A type is
 * modifiable when the units serving it have `modify` (built in: lvm-pv).
 */
export class NodeModifyStorageUnit extends LogicalUnit<OpNodeModifyStorage> {
  override readonly requiresBgl = false;
  #node!: NodeView;
  #template: string | null = null;

  override checkArguments(): void {
    const type = this.op.storage_type;
    checkStorageType('storage_type', type);
    const anyModifiable = this.ctx.host.storage.entries().some((e) => (e.provider.storageUnits ?? []).some((u) => u.type === type && typeof u.modify === 'function'));
    if (!anyModifiable) throw new GanetiError('GNT_STORAGE_NOT_MODIFIABLE', { type });
    const extra = Object.keys(this.op.changes).filter((k) => !MODIFIABLE_FIELDS.has(k));
    if (extra.length) throw new GanetiError('GNT_STORAGE_FIELD_NOT_MODIFIABLE', { type, fields: pyList(extra) });
    if ('allocatable' in this.op.changes && typeof this.op.changes['allocatable'] !== 'boolean')
      throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'changes.allocatable', problem: `must be a boolean, got ${JSON.stringify(this.op.changes['allocatable'])}` });
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
    if (typeof units.modify !== 'function') throw new GanetiError('GNT_STORAGE_NOT_MODIFIABLE', { type: this.op.storage_type });
    this.#template = template;
  }

  async exec(): Promise<null> {
    const data = configData(this.ctx.config);
    const rpc = await this.ctx.rpc();
    const args = [this.op.storage_type, storageUnitArgs(data, this.ctx.host.paths, this.op.storage_type, this.#template), this.op.name, { ...this.op.changes }];
    const r = await rpc.callNode('storage_modify', rpcNode(this.#node), args);
    if (!r.success) throw new GanetiError('GNT_STORAGE_UNIT_FAILED', { action: 'modify', name: this.op.name, node: this.#node.name, reason: r.error });
    return null;
  }
}
