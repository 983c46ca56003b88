import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { userStorageType } from './node-storage-types.js';

export interface RepairStorageOptions extends OpcodeOptions {
  ignoreConsistency?: boolean;
}

/** `gnt-node repair-storage [--ignore-consistency] <node> <type> <name>` (Ganeti's RepairStorage). */
export async function repairStorage(node: string, type: string, name: string, o: RepairStorageOptions): Promise<void> {
  const storageType = userStorageType('storage type', type);
  await submitAndWait(
    [{ OP_ID: 'OP_REPAIR_NODE_STORAGE', node_name: node, storage_type: storageType, name, ignore_consistency: o.ignoreConsistency ?? false }],
    o,
    { binary: 'gnt-node', command: 'repair-storage' },
  );
}
