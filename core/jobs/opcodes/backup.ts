import type { OpCommon, OpcodeSchema } from './common.js';

/**
 * Ganeti's OpBackupExport and OpBackupRemove (gnt-backup export, remove). Only the `local`
 * mode (an export folder on a node of the cluster) is spoken; `remote` exports to another
 * cluster are refused with a clear error.
 */
export interface OpBackupExport extends OpCommon {
  readonly OP_ID: 'OP_BACKUP_EXPORT';
  readonly instance_name: string;
  readonly target_node: string;
  readonly shutdown: boolean;
  readonly shutdown_timeout: number;
  readonly remove_instance: boolean;
  readonly ignore_remove_failures: boolean;
  readonly mode: 'local' | 'remote';
  readonly compress: string;
  readonly zero_free_space: boolean;
}

export interface OpBackupRemove extends OpCommon {
  readonly OP_ID: 'OP_BACKUP_REMOVE';
  readonly instance_name: string;
}

export type BackupOpCode = OpBackupExport | OpBackupRemove;

const name = { type: 'string', minLength: 1 };

export const BACKUP_OPCODE_SCHEMAS: { readonly [K in BackupOpCode['OP_ID']]: OpcodeSchema } = Object.freeze({
  OP_BACKUP_EXPORT: {
    properties: {
      instance_name: name,
      target_node: name,
      shutdown: { type: 'boolean', default: true },
      shutdown_timeout: { type: 'number', minimum: 0, default: 120 },
      remove_instance: { type: 'boolean', default: false },
      ignore_remove_failures: { type: 'boolean', default: false },
      mode: { enum: ['local', 'remote'], default: 'local' },
      compress: { type: 'string', default: 'none' },
      zero_free_space: { type: 'boolean', default: false },
    },
    required: ['instance_name', 'target_node'],
  },
  OP_BACKUP_REMOVE: { properties: { instance_name: name }, required: ['instance_name'] },
});
