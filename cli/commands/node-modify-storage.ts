import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { yesNo } from './node-ops.js';
import { userStorageType } from './node-storage-types.js';

export interface ModifyStorageOptions extends OpcodeOptions {
  allocatable?: string;
}

/**
 * `gnt-node modify-storage [--allocatable yes|no] <node> <type> <name>` (Ganeti's
 * ModifyStorage): OP_NODE_MODIFY_STORAGE with the changes given; none is not an error.
 */
export async function modifyStorage(node: string, type: string, name: string, o: ModifyStorageOptions): Promise<void> {
  const storageType = userStorageType('storage type', type);
  const changes: Record<string, boolean> = {};
  const allocatable = yesNo('--allocatable', o.allocatable);
  if (allocatable !== null) changes['allocatable'] = allocatable;
  if (Object.keys(changes).length === 0) {
    process.stderr.write('No changes to perform, exiting.\n');
    return;
  }
  await submitAndWait([{ OP_ID: 'OP_NODE_MODIFY_STORAGE', node_name: node, storage_type: storageType, name, changes }], o, { binary: 'gnt-node', command: 'modify-storage' });
}
