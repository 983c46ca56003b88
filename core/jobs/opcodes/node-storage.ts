import type { OpCommon, OpcodeSchema } from './common.js';

/**
 * The storage unit opcodes of nodes, with Ganeti's field names and defaults
 * (OpNodeQueryStorage, OpNodeModifyStorage, OpRepairNodeStorage). Storage types are checked
 * by the units (a coded error naming the field) rather than by an enum here.
 */

export interface OpNodeQueryStorage extends OpCommon {
  readonly OP_ID: 'OP_NODE_QUERY_STORAGE';
  /** Node names (empty: every node). */
  readonly nodes: readonly string[];
  /** Null: the type of the cluster's default disk template. */
  readonly storage_type: string | null;
  /** Only the unit of this name. */
  readonly name: string | null;
  readonly output_fields: readonly string[];
}

export interface OpNodeModifyStorage extends OpCommon {
  readonly OP_ID: 'OP_NODE_MODIFY_STORAGE';
  readonly node_name: string;
  readonly node_uuid: string | null;
  readonly storage_type: string;
  readonly name: string;
  /** Field → new value (Ganeti's MODIFIABLE_STORAGE_FIELDS: `allocatable`). */
  readonly changes: Readonly<Record<string, unknown>>;
}

export interface OpRepairNodeStorage extends OpCommon {
  readonly OP_ID: 'OP_REPAIR_NODE_STORAGE';
  readonly node_name: string;
  readonly node_uuid: string | null;
  readonly storage_type: string;
  readonly name: string;
  readonly ignore_consistency: boolean;
}

export type NodeStorageOpCode = OpNodeQueryStorage | OpNodeModifyStorage | OpRepairNodeStorage;

const nodeName = { type: 'string', minLength: 1 };
const optStr = { type: ['string', 'null'], default: null };
const storageType = { type: 'string', minLength: 1 };
const unitName = { type: 'string', minLength: 1 };

export const NODE_STORAGE_OPCODE_SCHEMAS: { readonly [K in NodeStorageOpCode['OP_ID']]: OpcodeSchema } = Object.freeze({
  OP_NODE_QUERY_STORAGE: {
    properties: {
      nodes: { type: 'array', items: nodeName, default: [] },
      storage_type: { type: ['string', 'null'], minLength: 1, default: null },
      name: optStr,
      output_fields: { type: 'array', items: { type: 'string' }, minItems: 1 },
    },
    required: ['output_fields'],
  },
  OP_NODE_MODIFY_STORAGE: {
    properties: { node_name: nodeName, node_uuid: optStr, storage_type: storageType, name: unitName, changes: { type: 'object' } },
    required: ['node_name', 'storage_type', 'name', 'changes'],
  },
  OP_REPAIR_NODE_STORAGE: {
    properties: { node_name: nodeName, node_uuid: optStr, storage_type: storageType, name: unitName, ignore_consistency: { type: 'boolean', default: false } },
    required: ['node_name', 'storage_type', 'name'],
  },
});
