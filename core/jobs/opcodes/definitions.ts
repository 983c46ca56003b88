import type { OpCommon, OpcodeSchema } from './common.js';
export type { OpcodeSchema } from './common.js';
import { NODE_OPCODE_SCHEMAS, type NodeOpCode } from './node.js';
import { GROUP_OPCODE_SCHEMAS, type GroupOpCode } from './group.js';
import { DISK_OPCODE_SCHEMAS, type DiskOpCode } from './disk.js';
import { INSTANCE_OPCODE_SCHEMAS, type InstanceOpCode } from './instance.js';
import { PLACEMENT_OPCODE_SCHEMAS, type PlacementOpCode } from './placement.js';
import { STORAGE_INSTALL_OPCODE_SCHEMAS, type OpExtStorageInstall } from './storage-install.js';
import { NODE_STORAGE_OPCODE_SCHEMAS, type NodeStorageOpCode } from './node-storage.js';
import { STORAGE_OPCODE_SCHEMAS, type OpExtStorageDiagnose } from './storage.js';
import { OS_OPCODE_SCHEMAS, type OpOsDiagnose } from './os.js';
import { BACKUP_OPCODE_SCHEMAS, type BackupOpCode } from './backup.js';
import { CLUSTER_OPCODE_SCHEMAS, type OpClusterDestroy, type OpClusterSetParams } from './cluster.js';
import { NETWORK_OPCODE_SCHEMAS, type NetworkOpCode } from './network.js';

export type { OpNodeAdd, OpNodeRemove, OpNodeSetParams } from './node.js';
export type { OpGroupAdd, OpGroupRemove, OpGroupRename, OpGroupSetParams, OpGroupAssignNodes } from './group.js';
export type { OpClusterDestroy, OpClusterSetParams } from './cluster.js';
export type { OpDiskCreate, OpDiskRemove, OpDiskActivate, OpDiskDeactivate } from './disk.js';
export type * from './instance.js';
export type * from './placement.js';
export type { OpExtStorageInstall } from './storage-install.js';
export type { OpNodeQueryStorage, OpNodeModifyStorage, OpRepairNodeStorage } from './node-storage.js';
export type { OpExtStorageDiagnose } from './storage.js';
export type { OpOsDiagnose } from './os.js';
export type { OpBackupExport, OpBackupRemove } from './backup.js';
export type { OpNetworkAdd, OpNetworkRemove, OpNetworkSetParams, OpNetworkConnect, OpNetworkDisconnect } from './network.js';

/**
 * The opcodes ganeti-ts runs, each with its TypeScript type and the JSON schema of its own
 * fields (Ganeti's names and defaults). The schema and the type are written side by side;
 * the unit table (unit-table.ts) maps each OP_ID to its logical unit.
 */
export interface OpTestDelay extends OpCommon {
  readonly OP_ID: 'OP_TEST_DELAY';
  /** Seconds to sleep. */
  readonly duration: number;
  readonly on_master: boolean;
  readonly on_nodes: readonly string[];
  readonly on_node_uuids: readonly string[] | null;
  readonly repeat: number;
  readonly interruptible: boolean;
  readonly no_locks: boolean;
}

export interface OpClusterQuery extends OpCommon {
  readonly OP_ID: 'OP_CLUSTER_QUERY';
}

/** Ganeti's OpClusterVerify: checks every online node (of one group with `group_name`). */
export interface OpClusterVerify extends OpCommon {
  readonly OP_ID: 'OP_CLUSTER_VERIFY';
  /** Report `ftype:ecode:edomain:name:msg` lines instead of the human form. */
  readonly error_codes: boolean;
  /** Error codes (ENODERPC, ...) reported as warnings. */
  readonly ignore_errors: readonly string[];
  /** Optional checks to skip (Ganeti's `nplusone_mem`; ours: `ssconf`, `plugins`, `time`, `config`). */
  readonly skip_checks: readonly string[];
  readonly group_name: string | null;
  readonly debug_simulate_errors: boolean;
  readonly verify_clutter: boolean;
}

/** Ganeti's OpClusterRedistConf: send ssconf and config.data to the nodes again. */
export interface OpClusterRedistConf extends OpCommon {
  readonly OP_ID: 'OP_CLUSTER_REDIST_CONF';
}

export type OpCode = OpTestDelay | OpClusterQuery | OpClusterVerify | OpClusterRedistConf | OpClusterSetParams | OpClusterDestroy | NodeOpCode | NodeStorageOpCode | GroupOpCode | DiskOpCode | InstanceOpCode | PlacementOpCode | OpExtStorageInstall | OpExtStorageDiagnose | OpOsDiagnose | BackupOpCode | NetworkOpCode;
export type OpId = OpCode['OP_ID'];
export type OpOf<K extends OpId> = Extract<OpCode, { OP_ID: K }>;

export const OPCODE_SCHEMAS: { readonly [K in OpId]: OpcodeSchema } = Object.freeze({
  OP_TEST_DELAY: {
    properties: {
      duration: { type: 'number', minimum: 0 },
      on_master: { type: 'boolean', default: true },
      on_nodes: { type: 'array', items: { type: 'string' }, default: [] },
      on_node_uuids: { anyOf: [{ type: 'null' }, { type: 'array', items: { type: 'string' } }], default: null },
      repeat: { type: 'integer', minimum: 0, default: 0 },
      interruptible: { type: 'boolean', default: false },
      no_locks: { type: 'boolean', default: true },
    },
    required: ['duration'],
  },
  OP_CLUSTER_QUERY: { properties: {} },
  OP_CLUSTER_REDIST_CONF: { properties: {} },
  OP_CLUSTER_VERIFY: {
    properties: {
      error_codes: { type: 'boolean', default: false },
      ignore_errors: { type: 'array', items: { type: 'string' }, default: [] },
      skip_checks: { type: 'array', items: { type: 'string' }, default: [] },
      group_name: { type: ['string', 'null'], default: null },
      debug_simulate_errors: { type: 'boolean', default: false },
      verify_clutter: { type: 'boolean', default: false },
    },
  },
  ...CLUSTER_OPCODE_SCHEMAS,
  ...NODE_OPCODE_SCHEMAS,
  ...NODE_STORAGE_OPCODE_SCHEMAS,
  ...GROUP_OPCODE_SCHEMAS,
  ...DISK_OPCODE_SCHEMAS,
  ...INSTANCE_OPCODE_SCHEMAS,
  ...PLACEMENT_OPCODE_SCHEMAS,
  ...STORAGE_INSTALL_OPCODE_SCHEMAS,
  ...STORAGE_OPCODE_SCHEMAS,
  ...OS_OPCODE_SCHEMAS,
  ...BACKUP_OPCODE_SCHEMAS,
  ...NETWORK_OPCODE_SCHEMAS,
});

export const OPCODE_IDS = Object.freeze(Object.keys(OPCODE_SCHEMAS) as OpId[]);
