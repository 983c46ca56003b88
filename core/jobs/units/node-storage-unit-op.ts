import { GanetiError } from '../../errors/index.js';
import { ALL_SET, LogicalUnit } from '../logical-unit.js';
import type { OpNodeModifyStorage, OpRepairNodeStorage } from '../opcodes/definitions.js';
import { configData } from './group-params.js';
import { requireNode, rpcNode, type NodeView } from './node-common.js';
import { checkStorageType, checkStorageTypeEnabled, servingUnits, storageUnitArgs } from './node-storage-common.js';

/** What modify-storage and repair-storage differ in. */
interface UnitOperation {
  /** The StorageUnits method the serving units must have. */
  readonly method: 'modify' | 'repair';
  /** Refusal when no unit of the type has it. */
  readonly refusal: 'GNT_STORAGE_NOT_MODIFIABLE' | 'GNT_STORAGE_NOT_REPAIRABLE';
  readonly procedure: 'storage_modify' | 'storage_execute';
  /** For messages: `Failed to <action> storage unit ...`. */
  readonly action: string;
}

/**
 * An operation on one storage unit of one node (Ganeti's LUNodeModifyStorage and
 * LURepairNodeStorage): the type must exist, be used by an enabled template and be served by
 * units that can do it; then one RPC to the node, under the node locks.
 */
export abstract class NodeStorageUnitOp<Op extends OpNodeModifyStorage | OpRepairNodeStorage> extends LogicalUnit<Op> {
  override readonly requiresBgl = false;
  protected abstract readonly operation: UnitOperation;
  protected node!: NodeView;
  #template: string | null = null;

  /** The last argument of the RPC (the changes, or the operation's name). */
  protected abstract rpcArgument(): unknown;

  override checkArguments(): void {
    const type = this.op.storage_type;
    checkStorageType('storage_type', type);
    const { method, refusal } = this.operation;
    const capable = this.ctx.host.storage.entries().some((e) => (e.provider.storageUnits ?? []).some((u) => u.type === type && typeof u[method] === 'function'));
    if (!capable) throw new GanetiError(refusal, { type });
  }

  override expandNames(): void {
    this.node = requireNode(configData(this.ctx.config), this.op.node_name, this.op.node_uuid);
    // Ganeti locks this one node; the lock manager has no per-node names yet: the whole level
    this.neededLocks = { node: ALL_SET };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    checkStorageTypeEnabled(data, this.ctx.host, this.op.storage_type);
    const { template, units } = servingUnits(data, this.ctx.host, this.op.storage_type);
    if (typeof units[this.operation.method] !== 'function') throw new GanetiError(this.operation.refusal, { type: this.op.storage_type });
    this.#template = template;
  }

  async exec(): Promise<null> {
    const data = configData(this.ctx.config);
    const rpc = await this.ctx.rpc();
    const args = [this.op.storage_type, storageUnitArgs(data, this.ctx.host.paths, this.op.storage_type, this.#template), this.op.name, this.rpcArgument()];
    const r = await rpc.callNode(this.operation.procedure, rpcNode(this.node), args);
    if (!r.success) throw new GanetiError('GNT_STORAGE_UNIT_FAILED', { action: this.operation.action, name: this.op.name, node: this.node.name, reason: r.error });
    return null;
  }
}
