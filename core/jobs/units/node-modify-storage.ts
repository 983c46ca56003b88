import { GanetiError } from '../../errors/index.js';
import type { OpNodeModifyStorage } from '../opcodes/definitions.js';
import { pyList } from './node-storage-common.js';
import { NodeStorageUnitOp } from './node-storage-unit-op.js';

const OP = 'OP_NODE_MODIFY_STORAGE';
/** Ganeti's MODIFIABLE_STORAGE_FIELDS, for every type whose units can be modified. */
const MODIFIABLE_FIELDS = new Set(['allocatable']);

/**
 * OP_NODE_MODIFY_STORAGE (`gnt-node modify-storage`, Ganeti's LUNodeModifyStorage): changes
 * a unit's modifiable fields (`allocatable`) on one node, under the node locks. A type is
 * modifiable when the units serving it have `modify` (built in: lvm-pv).
 */
export class NodeModifyStorageUnit extends NodeStorageUnitOp<OpNodeModifyStorage> {
  protected readonly operation = { method: 'modify', refusal: 'GNT_STORAGE_NOT_MODIFIABLE', procedure: 'storage_modify', action: 'modify' } as const;

  override checkArguments(): void {
    super.checkArguments();
    const extra = Object.keys(this.op.changes).filter((k) => !MODIFIABLE_FIELDS.has(k));
    if (extra.length) throw new GanetiError('GNT_STORAGE_FIELD_NOT_MODIFIABLE', { type: this.op.storage_type, fields: pyList(extra) });
    if ('allocatable' in this.op.changes && typeof this.op.changes['allocatable'] !== 'boolean')
      throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'changes.allocatable', problem: `must be a boolean, got ${JSON.stringify(this.op.changes['allocatable'])}` });
  }

  protected rpcArgument(): unknown {
    return { ...this.op.changes };
  }
}
