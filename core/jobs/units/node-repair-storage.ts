import type { OpRepairNodeStorage } from '../opcodes/definitions.js';
import { SO_FIX_CONSISTENCY } from '../../contracts/storage.js';
import { NodeStorageUnitOp } from './node-storage-unit-op.js';

/**
 * OP_REPAIR_NODE_STORAGE (`gnt-node repair-storage`, Ganeti's LURepairNodeStorage): runs the
 * fix-consistency operation on one unit of one node, under the node locks. A type is
 * repairable when the units serving it have `repair` (built in: lvm-vg).
 * Ganeti first refuses when instances with active disks on the node have faulty disks on
 * their other nodes (`ignore_consistency` turns that into a warning); ganeti-ts has no
 * instance disks yet, so there is nothing to check and the flag is accepted as it is.
 */
export class NodeRepairStorageUnit extends NodeStorageUnitOp<OpRepairNodeStorage> {
  protected readonly operation = { method: 'repair', refusal: 'GNT_STORAGE_NOT_REPAIRABLE', procedure: 'storage_execute', action: 'repair' } as const;

  override async exec(): Promise<null> {
    this.ctx.feedback(`Repairing storage unit '${this.op.name}' on ${this.node.name} ...`);
    return super.exec();
  }

  protected rpcArgument(): unknown {
    return SO_FIX_CONSISTENCY;
  }
}
